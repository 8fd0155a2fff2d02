import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { getAddress, getContractAddress } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import type { Hex } from '../../src/engine/index.js'
import { advance, CHAIN_ID, type Sim, startSim } from './_helpers.js'

// eth_call / eth_estimateGas with geth's state override (internal/ethapi/override): balance,
// nonce, code, state (all storage replaced) and stateDiff (slots set), only for that call; `state`
// and `stateDiff` together geth's -32000; malformed input -32602.

const alice = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const GWEI = 1_000_000_000n
const slot = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex
const word = (n: bigint | number) => BigInt(n).toString(16).padStart(64, '0')

// Runtime: returns (SLOAD 0, SLOAD 1).  PUSH0 SLOAD PUSH0 MSTORE  PUSH1 1 SLOAD PUSH1 20 MSTORE  PUSH1 40 PUSH0 RETURN
const READER = '0x5f545f5260015460205260405ff3'
// Init: SSTORE(0, 42) SSTORE(1, 7), then CODECOPY the 14-byte runtime from offset 19 and return it.
const INIT = `0x602a5f55600760015560 0e60135f39600e5ff3${READER.slice(2)}`.replace(/\s/g, '') as Hex
// Runtime: CREATE an empty contract and return its address (depends on this account's nonce).
const CREATOR = '0x5f5f5ff05f5260205ff3'

let sim: Sim
let reader: Hex
test.before(async () => {
  sim = await startSim({ execution: 'evm' })
  await sim.eth.call('eth_sendRawTransaction', [
    await alice.signTransaction({
      type: 'eip1559',
      chainId: CHAIN_ID,
      nonce: 0,
      gas: 200_000n,
      maxFeePerGas: 10n * GWEI,
      maxPriorityFeePerGas: 1_000_000n,
      data: INIT,
    }),
  ])
  await advance(sim)
  reader = getContractAddress({ from: alice.address, nonce: 0n })
})
test.after(async () => {
  await sim.close()
})

const call = (to: Hex, overrides?: unknown, from?: Hex) =>
  sim.eth.call<Hex>('eth_call', [{ to, ...(from ? { from } : {}) }, 'latest', ...(overrides ? [overrides] : [])])
async function failure(method: string, params: unknown[]): Promise<{ code: number | undefined; message: string }> {
  try {
    await sim.eth.call(method, params)
  } catch (err) {
    const e = err as { rpcCode?: number; shortMessage?: string }
    return { code: e.rpcCode, message: e.shortMessage! }
  }
  throw new Error('answered')
}

test('stateDiff sets slots, state replaces all storage, code and nonce apply to the call only', async () => {
  assert.is(await call(reader), `0x${word(42)}${word(7)}`, 'as deployed')
  assert.is(await call(reader, { [reader]: { stateDiff: { [slot(1)]: slot(9) } } }), `0x${word(42)}${word(9)}`)
  assert.is(await call(reader, { [reader]: { state: { [slot(1)]: slot(9) } } }), `0x${word(0)}${word(9)}`)
  assert.is(await call(reader), `0x${word(42)}${word(7)}`, 'nothing stayed')

  const somewhere: Hex = '0x00000000000000000000000000000000000c0de1'
  assert.is(await call(somewhere), '0x')
  assert.is(
    await call(somewhere, { [somewhere]: { code: READER, state: { [slot(0)]: slot(5) } } }),
    `0x${word(5)}${word(0)}`,
  )
  const created = await call(somewhere, { [somewhere]: { code: CREATOR, nonce: '0x5' } })
  assert.is(
    getAddress(`0x${created.slice(-40)}`),
    getContractAddress({ from: somewhere, nonce: 5n }),
    'CREATE used the overridden nonce',
  )
})

test('balance: an unfunded sender pays once overridden (eth_call with fees, eth_estimateGas)', async () => {
  const poor = privateKeyToAccount(generatePrivateKey()).address
  const tx = { from: poor, to: reader, value: '0xde0b6b3a7640000', maxFeePerGas: '0x2540be400' }
  const refused = await failure('eth_estimateGas', [tx, 'latest'])
  assert.is(refused.message, 'insufficient funds for transfer')
  const rich = { [poor]: { balance: '0x56bc75e2d63100000' } }
  assert.ok(BigInt(await sim.eth.call<Hex>('eth_estimateGas', [tx, 'latest', rich])) > 21_000n)
  assert.is(await sim.eth.call('eth_call', [tx, 'latest', rich]), `0x${word(42)}${word(7)}`)
  const plain = {
    from: poor,
    to: '0x000000000000000000000000000000000000dEaD',
    value: '0x1',
    maxFeePerGas: '0x2540be400',
  }
  assert.is(await sim.eth.call('eth_estimateGas', [plain, 'latest', rich]), '0x5208')
  assert.is(
    await sim.eth.call('eth_estimateGas', [{ to: reader, data: '0x' }, 'latest', { [reader]: { code: '0x' } }]),
    '0x5208',
    'the code override is seen by the plain-transfer shortcut',
  )
})

test("state and stateDiff together: geth's -32000; malformed overrides: -32602 naming the field", async () => {
  const both = await failure('eth_call', [
    { to: reader },
    'latest',
    { [reader]: { state: { [slot(0)]: slot(1) }, stateDiff: { [slot(1)]: slot(1) } } },
  ])
  assert.equal(both, { code: -32000, message: `account ${getAddress(reader)} has both 'state' and 'stateDiff'` })
  const bad = async (ov: unknown, includes: string) => {
    const f = await failure('eth_call', [{ to: reader }, 'latest', ov])
    assert.is(f.code, -32602, JSON.stringify(ov))
    assert.ok(f.message.includes(includes), `${f.message} should name ${includes}`)
  }
  await bad([], 'state override')
  await bad({ '0x1234': {} }, 'state override key')
  await bad({ [reader]: { balance: 'lots' } }, 'balance')
  await bad({ [reader]: { nonce: '0x10000000000000000' } }, 'nonce')
  await bad({ [reader]: { code: '0xabc' } }, 'code')
  await bad({ [reader]: { stateDiff: { '0x01': slot(1) } } }, 'stateDiff')
  await bad({ [reader]: { movePrecompileToAddress: reader } }, 'movePrecompileToAddress')
  const blockOv = await failure('eth_call', [{ to: reader }, 'latest', {}, { number: '0x1' }])
  assert.is(blockOv.code, -32602)
})

test.run()
