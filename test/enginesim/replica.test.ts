import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Hex } from '../../src/engine/index.js'
import { advance, build, fcu, headOf, newAccount, newPayloadV4, type Sim, signTx, startSim } from './_helpers.js'

let a: Sim
let b: Sim
test.before(async () => {
  ;[a, b] = await Promise.all([startSim(), startSim()])
})
test.after(async () => {
  await Promise.all([a?.close(), b?.close()])
})

test('engine-sims started with the same flags share genesis', () => {
  assert.is(a.genesisHash, b.genesisHash)
})

test("a replica given newPayload + FCU follows the sequencer's chain", async () => {
  for (let i = 0; i < 3; i++) {
    await a.eth.call('eth_sendRawTransaction', [await signTx(newAccount(), 0)])
    const { envelope } = await advance(a)
    const p = envelope.executionPayload
    assert.is((await newPayloadV4(b, p, envelope.parentBeaconBlockRoot)).status, 'VALID')
    assert.is((await fcu(b, p.blockHash)).payloadStatus.status, 'VALID')
  }
  const [ha, hb] = await Promise.all([headOf(a), headOf(b)])
  assert.equal(hb, ha)
  assert.is(ha.number, 3n)
})

test('a replica answers SYNCING for a block whose parent it lacks, and VALID once the gap is filled', async () => {
  const { envelope: e1 } = await advance(a)
  const { envelope: e2 } = await advance(a)
  assert.is((await newPayloadV4(b, e2.executionPayload)).status, 'SYNCING')
  assert.is((await fcu(b, e2.executionPayload.blockHash)).payloadStatus.status, 'SYNCING')
  assert.is((await newPayloadV4(b, e1.executionPayload)).status, 'VALID')
  assert.is((await newPayloadV4(b, e2.executionPayload)).status, 'VALID')
  assert.is((await fcu(b, e2.executionPayload.blockHash)).payloadStatus.status, 'VALID')
  assert.equal(await headOf(b), await headOf(a))
})

test("a builder paired with a replica builds a block the sequencer's engine accepts", async () => {
  const tx = await signTx(newAccount(), 0, { tip: 7_000_000n })
  // Ingress feeds both: only the builder's pool decides what the builder block holds.
  await b.eth.call('eth_sendRawTransaction', [tx])
  const parent = await headOf(a)
  const builderBlock = await build(b, parent)
  assert.ok(builderBlock.executionPayload.transactions.includes(tx))
  const local = await build(a, parent)
  assert.not.ok(local.executionPayload.transactions.includes(tx))
  assert.is((await newPayloadV4(a, builderBlock.executionPayload)).status, 'VALID')
  assert.is((await fcu(a, builderBlock.executionPayload.blockHash)).payloadStatus.status, 'VALID')
  assert.is((await headOf(a)).hash, builderBlock.executionPayload.blockHash)
})

test('forkchoice reorgs to a sibling and an engine-sim builds on any block it knows', async () => {
  const base = await headOf(a)
  const x = await build(a, base, { prevRandao: `0x${'01'.repeat(32)}` })
  const y = await build(a, base, { prevRandao: `0x${'02'.repeat(32)}` })
  for (const e of [x, y]) assert.is((await newPayloadV4(a, e.executionPayload)).status, 'VALID')
  await fcu(a, x.executionPayload.blockHash)
  assert.is((await headOf(a)).hash, x.executionPayload.blockHash)
  await fcu(a, y.executionPayload.blockHash, null, base.hash)
  assert.is((await headOf(a)).hash, y.executionPayload.blockHash)
  const byNumber = await a.eth.call<{ hash: Hex }>('eth_getBlockByNumber', [
    `0x${(base.number + 1n).toString(16)}`,
    false,
  ])
  assert.is(byNumber.hash, y.executionPayload.blockHash)
  // Build on the non-canonical sibling x: FCU moves the head there and starts the job.
  const xHead = {
    hash: x.executionPayload.blockHash,
    number: base.number + 1n,
    timestamp: BigInt(x.executionPayload.timestamp),
  }
  const onX = await build(a, xHead)
  assert.is(onX.executionPayload.parentHash, xHead.hash)
  assert.is((await headOf(a)).hash, xHead.hash)
})

test.run()
