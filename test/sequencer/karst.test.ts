import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { jsonRpc } from '../_helpers/jsonRpc.js'
import { bearer, type Env, proxyEnv, signedTx, startJob } from './_env.js'

// Issue 11: after Karst op-node seals with engine_getPayloadV5 (the V4 envelope) and inserts with
// engine_newPayloadV4 (optimism#21337). engine-sim runs a karst chain; the sequencer proxies op-node's
// V5 calls, chooses a builder block through them, and tells builders the version.

let env: Env
test.before(async () => {
  env = await proxyEnv({ fork: 'karst', opNode: { karst: true, minBaseFee: '0x3e8' } })
})
test.after(() => env?.close())

test('engine-sim (karst) gates versions: getPayloadV5 only, newPayloadV4', async () => {
  const { started } = await startJob(env)
  const auth = bearer(env.engineJwt.secret)
  const v4 = await jsonRpc(env.engine.url, 'engine_getPayloadV4', [started.payloadId], auth)
  assert.is(v4.error?.code, -38005)
  const v5 = await jsonRpc(env.engine.url, 'engine_getPayloadV5', [started.payloadId], auth)
  const envelope = v5.result as { executionPayload: { withdrawalsRoot?: string }; executionRequests?: unknown[] }
  assert.ok(envelope.executionPayload.withdrawalsRoot, 'the V4 envelope: withdrawalsRoot')
  assert.equal(envelope.executionRequests, [])
  // op-node's own path through the proxy: seal V5, insert V4.
  await env.op.insert(await env.op.seal(started))
})

test('a builder block is chosen through engine_getPayloadV5; builders are then told getPayloadVersion 5', async () => {
  const [alice] = env.builders
  const { started, job } = await startJob(env)
  const block = await alice!.block(job, [await signedTx(0, 0, 2)])
  const validated = env.seq.events.waitFor('validated', (v) => v.blockHash === block.executionPayload.blockHash)
  assert.equal(await alice!.submitBlock(block), { status: 'accepted' })
  assert.ok((await validated).valid)
  const sealed = await env.op.seal(started)
  assert.is(sealed.executionPayload.blockHash, block.executionPayload.blockHash)
  await env.op.insert(sealed)
  const next = await startJob(env)
  const told = await env.stub.waitFor(
    (c) => c.method === 'builder_startBuilding' && (c.params as { jobId: string }).jobId === next.job.jobId,
  )
  assert.is((told.params as { getPayloadVersion?: number }).getPayloadVersion, 5)
  assert.is((told.params as { engineVersion: number }).engineVersion, 4)
  await env.op.insert(await env.op.seal(next.started))
})

test.run()
