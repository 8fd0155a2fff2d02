import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { keccak256, toHex } from 'viem'
import { type JsonRpcAnswer, jsonRpc } from '../_helpers/jsonRpc.js'
import { bearer, type Env, proxyEnv } from './_env.js'

// Issue 11: op-node decides by code alone what an engine error means (engine_update.go startPayload:
// -38002 → reset, -38003 → invalid attributes / deposits-only replacement, any other → reset;
// build_seal.go: -38001 on seal → payload expired). So the proxy must hand every engine error to
// op-node unchanged. Each case is asked of engine-sim directly and through the sequencer's engine
// listener (real processes on 127.0.0.1, op-node's JWT), and the two error objects must be equal.

let env: Env
test.before(async () => {
  env = await proxyEnv({ builders: [] })
})
test.after(() => env?.close())

/** The same call to the engine (its JWT) and through the proxy (op-node's JWT). */
async function both(method: string, params: unknown[]): Promise<[JsonRpcAnswer, JsonRpcAnswer]> {
  const direct = await jsonRpc(env.engine.url, method, params, bearer(env.engineJwt.secret))
  const proxied = await jsonRpc(env.seq.urls.engine!, method, params, bearer(env.op.o.jwtSecret))
  return [direct, proxied]
}

const unknownHash = keccak256(toHex('no such block'))

test('-38002 invalid forkchoice state (op-node: reset) passes unchanged', async () => {
  const state = { ...env.op.state(), finalizedBlockHash: unknownHash }
  const [direct, proxied] = await both('engine_forkchoiceUpdatedV3', [state, env.op.attributes()])
  assert.is(direct.error?.code, -38002)
  assert.equal(proxied.error, direct.error)
})

test('-38003 invalid payload attributes (op-node: deposits-only replacement under Holocene) passes unchanged', async () => {
  const stale = env.op.attributes({ timestamp: toHex(env.op.head.timestamp) })
  const [direct, proxied] = await both('engine_forkchoiceUpdatedV3', [env.op.state(), stale])
  assert.is(direct.error?.code, -38003)
  assert.equal(proxied.error, direct.error)
})

test('-38001 unknown payload while sealing (op-node: payload expired) passes unchanged', async () => {
  const [direct, proxied] = await both(`engine_getPayloadV${env.op.version}`, ['0x00000000deadbeef'])
  assert.is(direct.error?.code, -38001)
  assert.equal(proxied.error, direct.error)
})

test('any other engine error (-38005 unsupported fork, -32603 internal) passes unchanged', async () => {
  const wrong = env.op.version === 4 ? 3 : 4
  const started = await env.op.startBlock()
  const [direct, proxied] = await both(`engine_getPayloadV${wrong}`, [started.payloadId])
  assert.is(direct.error?.code, -38005)
  assert.equal(proxied.error, direct.error)
  await jsonRpc(
    env.engine.url,
    'sim_setFaults',
    [{ errorMethods: ['engine_forkchoiceUpdatedV3'] }],
    bearer(env.engineJwt.secret),
  )
  try {
    const [d2, p2] = await both('engine_forkchoiceUpdatedV3', [env.op.state(), null])
    assert.is(d2.error?.code, -32603)
    assert.equal(p2.error, d2.error)
  } finally {
    await jsonRpc(env.engine.url, 'sim_setFaults', [{ errorMethods: [] }], bearer(env.engineJwt.secret))
  }
})

test.run()
