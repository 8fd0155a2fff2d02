import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { privateKeyToAccount } from 'viem/accounts'
import type { Hex } from '../../src/engine/index.js'
import {
  DEV_ACCOUNTS,
  DEV_BALANCE,
  EMITTER_ADDRESS,
  EMITTER_TOPIC,
  INBOX_ADDRESS,
  VALIDATE_MESSAGE_SELECTOR,
} from '../../src/evm/index.js'
import { EXECUTING_MESSAGE_TOPIC } from '../../src/interop/index.js'
import { advance, build, CHAIN_ID, fcu, headOf, newPayloadV4, type Sim, startSim } from '../enginesim/_helpers.js'

const KEY0 = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const alice = privateKeyToAccount(KEY0)

let sim: Sim
test.before(async () => {
  sim = await startSim({ execution: 'evm' })
})
test.after(async () => {
  await sim.close()
})

function sign(nonce: number, to: Hex, data: Hex = '0x', value = 0n, gas = 200_000n): Promise<Hex> {
  return alice.signTransaction({
    type: 'eip1559',
    chainId: CHAIN_ID,
    nonce,
    to,
    value,
    gas,
    maxFeePerGas: 10_000_000_000n,
    maxPriorityFeePerGas: 1_000_000n,
    data,
  })
}

const word = (n: bigint | number) => BigInt(n).toString(16).padStart(64, '0')

test('a block with a transfer, an emitter call and an ExecutingMessage has real receipts, logs and roots', async () => {
  assert.is(alice.address.toLowerCase(), DEV_ACCOUNTS[0])
  const bob: Hex = '0x000000000000000000000000000000000000b0b0'
  const h1 = await sim.eth.call<Hex>('eth_sendRawTransaction', [await sign(0, bob, '0x', 12345n, 21_000n)])
  const h2 = await sim.eth.call<Hex>('eth_sendRawTransaction', [await sign(1, EMITTER_ADDRESS, `0x${word(2)}cafe`)])
  const id = `${word(BigInt(EMITTER_ADDRESS))}${word(1)}${word(0)}${word(1_700_000_000)}${word(902)}`
  const h3 = await sim.eth.call<Hex>('eth_sendRawTransaction', [
    await sign(2, INBOX_ADDRESS, `${VALIDATE_MESSAGE_SELECTOR}${id}${'ab'.repeat(32)}`),
  ])
  const { head, envelope } = await advance(sim)
  const p = envelope.executionPayload
  assert.is(p.transactions.length, 4, 'the deposit and the three pooled transactions')
  assert.is.not(p.stateRoot, sim.sim.chain.genesis.payload.stateRoot)
  assert.is.not(p.logsBloom, `0x${'00'.repeat(256)}`)
  const r1 = await sim.eth.call<Record<string, unknown>>('eth_getTransactionReceipt', [h1])
  assert.is(r1.status, '0x1')
  assert.is(r1.gasUsed, '0x5208')
  const r2 = await sim.eth.call<{ logs: { topics: Hex[]; data: Hex; logIndex: Hex }[] }>('eth_getTransactionReceipt', [
    h2,
  ])
  assert.is(r2.logs.length, 2)
  assert.is(r2.logs[0]!.topics[0], EMITTER_TOPIC)
  assert.is(r2.logs[0]!.data, '0xcafe')
  const logs = await sim.eth.call<{ address: Hex; topics: Hex[]; transactionHash: Hex; logIndex: Hex }[]>(
    'eth_getLogs',
    [{ fromBlock: '0x1', toBlock: 'latest', address: INBOX_ADDRESS, topics: [EXECUTING_MESSAGE_TOPIC] }],
  )
  assert.is(logs.length, 1)
  assert.is(logs[0]!.transactionHash, h3)
  assert.is(logs[0]!.logIndex, '0x2')
  assert.is(logs[0]!.topics[1], `0x${'ab'.repeat(32)}`)
  const byHash = await sim.eth.call<unknown[]>('eth_getLogs', [{ blockHash: head.hash }])
  assert.is(byHash.length, 3)
  const receipts = await sim.eth.call<{ type: Hex; depositNonce?: Hex; depositReceiptVersion?: Hex }[]>(
    'eth_getBlockReceipts',
    [head.hash],
  )
  assert.is(receipts.length, 4)
  assert.is(receipts[0]!.type, '0x7e')
  assert.is(receipts[0]!.depositNonce, '0x0')
  assert.is(receipts[0]!.depositReceiptVersion, '0x1')
  assert.ok(DEV_BALANCE > 0n)
})

test("newPayload re-executes: a wrong state root is INVALID with geth's text and the parent as latestValidHash", async () => {
  const parent = await headOf(sim)
  await sim.eth.call('eth_sendRawTransaction', [await sign(3, EMITTER_ADDRESS, `0x${word(1)}`)])
  const env = await build(sim, parent)
  const { computeBlockHash } = await import('../../src/engine/index.js')
  const bad = { ...env.executionPayload, stateRoot: `0x${'77'.repeat(32)}` as Hex }
  bad.blockHash = computeBlockHash(bad, env.parentBeaconBlockRoot, [])
  const status = await newPayloadV4(sim, bad, env.parentBeaconBlockRoot)
  assert.is(status.status, 'INVALID')
  assert.is(status.latestValidHash, parent.hash)
  assert.match(status.validationError ?? '', /^invalid merkle root \(remote: 0x7777/)
  const good = await newPayloadV4(sim, env.executionPayload, env.parentBeaconBlockRoot)
  assert.is(good.status, 'VALID')
  await fcu(sim, env.executionPayload.blockHash)
})

test.run()
