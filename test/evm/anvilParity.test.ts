import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { privateKeyToAccount } from 'viem/accounts'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import { decodeTx, type Hex } from '../../src/engine/index.js'
import {
  type AllocAccount,
  BlockExecutor,
  defaultGenesis,
  EMITTER_ADDRESS,
  type Genesis,
  genesisToJson,
  INBOX_ADDRESS,
  VALIDATE_MESSAGE_SELECTOR,
} from '../../src/evm/index.js'
import { initKeccak } from '../../src/util/keccak.js'

// The same transactions on anvil (an independent EVM: revm) and on engine-sim's executor, from the
// same genesis alloc: every block's state root, receipts root, bloom and gas used, and every
// receipt's status, gas and logs must agree. anvil adds two contracts to every Prague chain (the
// EIP-2935 history contract, which it also calls each block, and the CREATE2 deployer), so the
// shared genesis has them too; base fee 0, because anvil burns the base fee where OP pays it to
// the BaseFeeVault (checked in engineSimEvm.test.ts), and no deposits (anvil is not an OP chain).

const HISTORY: Hex = '0x0000f90827f1c53a10cb7a02335b175320002935'
/** EIP-2935's runtime code (as in the EIP and anvil). */
const HISTORY_CODE: Hex =
  '0x3373fffffffffffffffffffffffffffffffffffffffe14604657602036036042575f35600143038111604257611fff81430311604257611fff9006545f5260205ff35b5f5ffd5b5f35611fff60014303065500'
const CREATE2_DEPLOYER: Hex = '0x4e59b44847b379578588920ca78fbf26c0b4956c'
const CREATE2_CODE: Hex =
  '0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3'
const REVERTER: Hex = '0x000000000000000000000000000000000000dead'
const CHAIN = 901
const GENESIS_TIME = 1_700_000_000

const a = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const b = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const c = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a')

const dir = mkdtempSync(join(tmpdir(), 'sg-evm-parity-'))
let anvil: Anvil
let ex: BlockExecutor
let root: Hex

function genesis(): Genesis {
  const g = defaultGenesis({ chainId: CHAIN, timestamp: BigInt(GENESIS_TIME) })
  const alloc = new Map<Hex, AllocAccount>(g.alloc)
  alloc.set(HISTORY, { balance: 0n, nonce: 0n, code: HISTORY_CODE, storage: new Map() })
  alloc.set(CREATE2_DEPLOYER, { balance: 0n, nonce: 0n, code: CREATE2_CODE, storage: new Map() })
  // A contract with storage: slot 0 = 7 (SLOAD/SSTORE paths and a non-empty storage root).
  alloc.set('0x000000000000000000000000000000000000c0de', {
    balance: 1n,
    nonce: 1n,
    code: '0x5f545f5260205ff3',
    storage: new Map<Hex, Hex>([[`0x${'00'.repeat(32)}`, `0x${'00'.repeat(31)}07`]]),
  })
  // A contract that always reverts (PUSH0 PUSH0 REVERT).
  alloc.set(REVERTER, { balance: 0n, nonce: 1n, code: '0x5f5ffd', storage: new Map() })
  return { ...g, baseFee: 0n, alloc }
}

async function call<T>(method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(anvil.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const j = (await res.json()) as { result?: T; error?: unknown }
  if (j.error) throw new Error(`${method}: ${JSON.stringify(j.error)}`)
  return j.result as T
}

type AnvilBlock = {
  number: Hex
  hash: Hex
  parentHash: Hex
  stateRoot: Hex
  receiptsRoot: Hex
  logsBloom: Hex
  gasUsed: Hex
  gasLimit: Hex
  baseFeePerGas: Hex
  mixHash: Hex
  miner: Hex
  timestamp: Hex
  parentBeaconBlockRoot?: Hex
  transactions: Hex[]
}
type AnvilReceipt = {
  status: Hex
  gasUsed: Hex
  logs: { address: Hex; topics: Hex[]; data: Hex }[]
  contractAddress: Hex | null
}

test.before(async () => {
  await initKeccak()
  const g = genesis()
  const file = join(dir, 'genesis.json')
  writeFileSync(file, JSON.stringify(genesisToJson(g)))
  anvil = await startAnvil({
    chainId: CHAIN,
    args: ['--init', file, '--hardfork', 'prague', '--no-mining', '--base-fee', '0', '--order', 'fifo'],
  })
  ex = await BlockExecutor.create(CHAIN, 'isthmus')
  root = await ex.applyAlloc(g.alloc)
})
test.after(async () => {
  await anvil?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** Sends `raws` to anvil, mines one block, executes the same list here and compares everything. */
async function sameBlock(raws: Hex[], senders: Hex[], what: string): Promise<AnvilReceipt[]> {
  for (const r of raws) await call('eth_sendRawTransaction', [r])
  await call('evm_mine')
  const blk = await call<AnvilBlock>('eth_getBlockByNumber', ['latest', false])
  assert.is(blk.transactions.length, raws.length, `${what}: anvil mined every transaction`)
  const txs = raws.map((r, i) => ({ tx: decodeTx(r), from: senders[i]! }))
  const out = await ex.execute(
    {
      number: BigInt(blk.number),
      timestamp: BigInt(blk.timestamp),
      coinbase: blk.miner,
      gasLimit: BigInt(blk.gasLimit),
      baseFee: BigInt(blk.baseFeePerGas),
      prevRandao: blk.mixHash,
      parentHash: blk.parentHash,
      parentBeaconBlockRoot: blk.parentBeaconBlockRoot ?? `0x${'00'.repeat(32)}`,
      parentStateRoot: root,
    },
    txs,
    { mode: 'validate' },
  )
  assert.is(out.gasUsed, BigInt(blk.gasUsed), `${what}: gas used`)
  assert.is(out.logsBloom, blk.logsBloom, `${what}: bloom`)
  assert.is(out.receiptsRoot, blk.receiptsRoot, `${what}: receipts root`)
  assert.is(out.stateRoot, blk.stateRoot, `${what}: state root`)
  const receipts: AnvilReceipt[] = []
  for (const [i, t] of txs.entries()) {
    const r = await call<AnvilReceipt>('eth_getTransactionReceipt', [t.tx.hash])
    const ours = out.receipts[i]!
    assert.is(ours.status, Number(r.status), `${what} tx ${i}: status`)
    assert.is(ours.gasUsed, BigInt(r.gasUsed), `${what} tx ${i}: gas used`)
    assert.equal(
      ours.logs,
      r.logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data })),
      `${what} tx ${i}: logs`,
    )
    assert.is(ours.contractAddress, r.contractAddress, `${what} tx ${i}: contract address`)
    receipts.push(r)
  }
  root = out.stateRoot
  return receipts
}

const fees = { maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000n }
const word = (n: bigint | number) => BigInt(n).toString(16).padStart(64, '0')

test('transfers (legacy, 2930, 1559), contract calls with logs, a reverting call and a contract creation agree with anvil', async () => {
  const id = `${word(BigInt(EMITTER_ADDRESS))}${word(1)}${word(0)}${word(GENESIS_TIME)}${word(902)}`
  const raws: Hex[] = [
    await a.signTransaction({
      type: 'eip1559',
      chainId: CHAIN,
      nonce: 0,
      to: b.address,
      value: 10n ** 18n,
      gas: 21_000n,
      ...fees,
    }),
    await b.signTransaction({
      type: 'legacy',
      chainId: CHAIN,
      nonce: 0,
      to: c.address,
      value: 3n,
      gas: 21_000n,
      gasPrice: 1_500_000_000n,
    }),
    await c.signTransaction({
      type: 'eip2930',
      chainId: CHAIN,
      nonce: 0,
      to: '0x000000000000000000000000000000000000c0de',
      gas: 60_000n,
      gasPrice: 1_000_000_000n,
      accessList: [{ address: '0x000000000000000000000000000000000000c0de', storageKeys: [`0x${'00'.repeat(32)}`] }],
    }),
    await a.signTransaction({
      type: 'eip1559',
      chainId: CHAIN,
      nonce: 1,
      to: EMITTER_ADDRESS,
      gas: 100_000n,
      data: `0x${word(3)}c0ffee`,
      ...fees,
    }),
    await a.signTransaction({
      type: 'eip1559',
      chainId: CHAIN,
      nonce: 2,
      to: INBOX_ADDRESS,
      gas: 100_000n,
      data: `${VALIDATE_MESSAGE_SELECTOR}${id}${'ab'.repeat(32)}`,
      ...fees,
    }),
    // A call that reverts (status 0), then a creation that deploys a 1-byte STOP contract.
    await b.signTransaction({
      type: 'eip1559',
      chainId: CHAIN,
      nonce: 1,
      to: REVERTER,
      value: 5n,
      gas: 100_000n,
      ...fees,
    }),
    await b.signTransaction({
      type: 'eip1559',
      chainId: CHAIN,
      nonce: 2,
      gas: 100_000n,
      data: '0x6001600c60003960016000f300',
      ...fees,
    }),
  ]
  const senders = [a.address, b.address, c.address, a.address, a.address, b.address, b.address]
  const receipts = await sameBlock(raws, senders, 'block 1')
  assert.equal(
    receipts.map((r) => r.status),
    ['0x1', '0x1', '0x1', '0x1', '0x1', '0x0', '0x1'],
  )
  assert.is(receipts[3]!.logs.length, 3)
  assert.ok(receipts[6]!.contractAddress)
})

test('an EIP-7702 delegation, then a call to the delegated account, agree with anvil', async () => {
  const nonce = await call<Hex>('eth_getTransactionCount', [c.address, 'latest'])
  const auth = await c.signAuthorization({ chainId: CHAIN, contractAddress: EMITTER_ADDRESS, nonce: Number(nonce) + 1 })
  const raws: Hex[] = [
    await c.signTransaction({
      type: 'eip7702',
      chainId: CHAIN,
      nonce: Number(nonce),
      to: c.address,
      gas: 200_000n,
      data: `0x${word(2)}beef`,
      authorizationList: [auth],
      ...fees,
    }),
    await a.signTransaction({
      type: 'eip1559',
      chainId: CHAIN,
      nonce: 3,
      to: c.address,
      gas: 100_000n,
      data: `0x${word(1)}f00d`,
      ...fees,
    }),
  ]
  const receipts = await sameBlock(raws, [c.address, a.address], 'block 2')
  assert.is(receipts[1]!.logs[0]!.address, c.address.toLowerCase(), 'the delegated EOA runs the emitter code')
})

test.run()
