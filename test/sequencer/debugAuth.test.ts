import { randomBytes } from 'node:crypto'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type EngineSimHandle, startEngineSim } from '../../src/enginesim/start.js'
import { signJwt } from '../../src/rpc/jwt.js'
import { type SequencerHandle, sequencerConfig, startSequencer } from '../../src/sequencer/start.js'
import { createLogger } from '../../src/util/logger.js'
import { CHAIN_ID, jwtFile } from './_env.js'

// Two proxy-mode sequencers on one engine-sim: one with --debug-jwt-secret, one without.
let engine: EngineSimHandle
let guarded: SequencerHandle
let bare: SequencerHandle
const debugJwt = jwtFile()

test.before(async () => {
  const engineJwt = jwtFile()
  engine = await startEngineSim({ execution: 'sim', jwtSecret: engineJwt.secret, chainId: CHAIN_ID })
  const start = (over: Record<string, unknown>) =>
    startSequencer(
      sequencerConfig({
        engine: `${engine.url},jwt=${engineJwt.path}`,
        jwtSecret: jwtFile().path,
        listenEngine: '127.0.0.1:0',
        listenBuilder: '127.0.0.1:0',
        listenDebug: '127.0.0.1:0',
        maxUnsafeAge: 0,
        logLevel: 'silent',
        ...over,
      }),
      { logger: createLogger('silent') },
    )
  guarded = await start({ debugJwtSecret: debugJwt.path })
  bare = await start({})
})
test.after(async () => {
  await guarded?.close()
  await bare?.close()
  await engine?.close()
})
test.before.each(() => {
  guarded?.setExecutionMode('enabled')
  bare?.setExecutionMode('enabled')
})

const post = async (url: string, raw: string, authorization?: string) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (authorization) headers.authorization = authorization
  const res = await fetch(url, { method: 'POST', headers, body: raw })
  return {
    status: res.status,
    body: (await res.json()) as { error?: { code: number; message: string }; result?: unknown },
  }
}
const SET_DISABLED =
  '{"jsonrpc":"2.0","id":1,"method":"debug_setExecutionMode","params":[{"execution_mode":"disabled"}]}'
const bearer = (secret = debugJwt.secret) => `Bearer ${signJwt(secret)}`

test('without --debug-jwt-secret debug_setExecutionMode is refused (401, -32000), even with a token', async () => {
  for (const auth of [undefined, bearer()]) {
    const res = await post(bare.urls.debug, SET_DISABLED, auth)
    assert.is(res.status, 401)
    assert.is(res.body.error?.code, -32000)
    assert.match(res.body.error!.message, 'unauthorized: debug_setExecutionMode needs --debug-jwt-secret')
  }
  assert.is(bare.executionMode(), 'enabled')
})

test('debug_getExecutionMode, /healthz and /metrics stay open', async () => {
  for (const h of [bare, guarded]) {
    const res = await post(h.urls.debug, '{"jsonrpc":"2.0","id":1,"method":"debug_getExecutionMode"}')
    assert.is(res.status, 200)
    assert.equal(res.body.result, { execution_mode: 'enabled' })
    assert.ok([200, 206, 503].includes((await fetch(`${h.urls.debug}/healthz`)).status))
    assert.is((await fetch(`${h.urls.debug}/metrics`)).status, 200)
  }
})

test('with --debug-jwt-secret: a valid token switches the mode; none, a stale or a foreign one does not', async () => {
  assert.match((await post(guarded.urls.debug, SET_DISABLED)).body.error!.message, 'missing bearer token')
  assert.is((await post(guarded.urls.debug, SET_DISABLED, bearer(randomBytes(32)))).status, 401)
  assert.is(
    (
      await post(
        guarded.urls.debug,
        SET_DISABLED,
        `Bearer ${signJwt(debugJwt.secret, Math.floor(Date.now() / 1000) - 120)}`,
      )
    ).status,
    401,
  )
  assert.is(guarded.executionMode(), 'enabled')
  const ok = await post(guarded.urls.debug, SET_DISABLED, bearer())
  assert.is(ok.status, 200)
  assert.equal(ok.body.result, { execution_mode: 'disabled' })
  assert.is(guarded.executionMode(), 'disabled')
})

test('spelling tricks: an escaped name, a duplicate key, a batch, a notification all need the token', async () => {
  for (const raw of [
    '{"jsonrpc":"2.0","id":1,"method":"debug\\u005fsetExecutionMode","params":[{"execution_mode":"disabled"}]}',
    '{"jsonrpc":"2.0","id":1,"method":"debug_getExecutionMode","method":"debug_setExecutionMode","params":[{"execution_mode":"disabled"}]}',
    '[{"jsonrpc":"2.0","id":1,"method":"debug_getExecutionMode"},{"jsonrpc":"2.0","id":2,"method":"debug\\u005fsetExecutionMode","params":[{"execution_mode":"disabled"}]}]',
    '{"jsonrpc":"2.0","method":"debug_setExecutionMode","params":[{"execution_mode":"disabled"}]}',
  ]) {
    const res = await post(guarded.urls.debug, raw)
    assert.is(res.status, 401, raw)
    assert.is(guarded.executionMode(), 'enabled', raw)
  }
})

test('refusals are counted in superguard_sequencer_errors_total{where="debug_unauthorized"}', async () => {
  const count = async () => {
    const text = await (await fetch(`${guarded.urls.debug}/metrics`)).text()
    return Number(/superguard_sequencer_errors_total\{where="debug_unauthorized"\} (\d+)/.exec(text)?.[1] ?? 0)
  }
  const before = await count()
  await post(guarded.urls.debug, SET_DISABLED)
  assert.is(await count(), before + 1)
})

test.run()
