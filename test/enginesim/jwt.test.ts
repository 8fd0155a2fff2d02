import { randomBytes } from 'node:crypto'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { NO_FAULTS } from '../../src/enginesim/faults.js'
import { signJwt } from '../../src/rpc/jwt.js'
import { type Sim, startSim } from './_helpers.js'

let s: Sim
test.before(async () => {
  s = await startSim()
})
test.after(async () => {
  await s?.close()
})
// A call that slipped through in one test must not slow or fail the next.
test.before.each(() => {
  if (s) s.sim.faults = { ...NO_FAULTS, errorMethods: [] }
})

const post = async (body: unknown, authorization?: string) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (authorization !== undefined) headers.authorization = authorization
  const res = await fetch(s.url, { method: 'POST', headers, body: JSON.stringify(body) })
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() }
}
const call = (method: string, params: unknown[] = []) => ({ jsonrpc: '2.0', id: 1, method, params })
/** A body sent byte for byte (JSON escapes and duplicate keys survive). */
const postRaw = async (raw: string, authorization?: string) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (authorization !== undefined) headers.authorization = authorization
  const res = await fetch(s.url, { method: 'POST', headers, body: raw })
  return { status: res.status, text: await res.text() }
}
/** What sim_setFaults would change: untouched means the call never ran. */
const untouched = () => assert.equal(s.sim.faults.latencyMs, 0)
const now = () => Math.floor(Date.now() / 1000)

test('engine_ calls without a token get HTTP 401 "missing token" as from geth', async () => {
  const res = await post(call('engine_exchangeCapabilities', [[]]))
  assert.is(res.status, 401)
  assert.match(res.type, 'text/plain')
  assert.is(res.text, 'missing token\n')
  assert.is((await post(call('engine_exchangeCapabilities', [[]]), 'Basic abc')).text, 'missing token\n')
})

test('stale, future, wrongly signed and malformed tokens are refused', async () => {
  assert.is(
    (await post(call('engine_exchangeCapabilities', [[]]), `Bearer ${signJwt(s.secret, now() - 120)}`)).text,
    'stale token\n',
  )
  assert.is(
    (await post(call('engine_exchangeCapabilities', [[]]), `Bearer ${signJwt(s.secret, now() + 120)}`)).text,
    'future token\n',
  )
  const wrong = await post(call('engine_exchangeCapabilities', [[]]), `Bearer ${signJwt(randomBytes(32))}`)
  assert.is(wrong.status, 401)
  assert.is(wrong.text, 'signature is invalid\n')
  assert.is((await post(call('engine_exchangeCapabilities', [[]]), 'Bearer a.b')).status, 401)
})

test('a fresh token within ±60 s is accepted', async () => {
  for (const skew of [0, -50, 50]) {
    const res = await post(call('engine_exchangeCapabilities', [[]]), `Bearer ${signJwt(s.secret, now() + skew)}`)
    assert.is(res.status, 200)
    assert.ok(Array.isArray(JSON.parse(res.text).result))
  }
})

test('eth_ methods need no token; a batch with any engine_ call does', async () => {
  const res = await post(call('eth_chainId'))
  assert.is(res.status, 200)
  assert.is(JSON.parse(res.text).result, '0x385')
  assert.is((await post([call('eth_chainId'), call('engine_exchangeCapabilities', [[]])])).status, 401)
  const ok = await post([call('eth_chainId'), call('engine_exchangeCapabilities', [[]])], `Bearer ${signJwt(s.secret)}`)
  assert.is(JSON.parse(ok.text).length, 2)
  // A method name merely mentioned in params does not trigger auth.
  assert.is((await post(call('eth_getBlockByHash', ['engine_', false]))).status, 200)
})

test('a JSON escape in the method name is the same method: sim\\u005fsetFaults needs a token', async () => {
  const setFaults = '{"jsonrpc":"2.0","id":1,"method":"sim\\u005fsetFaults","params":[{"latencyMs":5000}]}'
  const res = await postRaw(setFaults)
  assert.is(res.status, 401)
  assert.is(res.text, 'missing token\n')
  untouched()
  assert.is(
    (await postRaw('{"jsonrpc":"2.0","id":1,"method":"\\u0065ngine_exchangeCapabilities","params":[[]]}')).status,
    401,
  )
  assert.is(
    (await postRaw('{"jsonrpc":"2.0","id":1,"method":"\\u0073\\u0069\\u006d\\u005f\\u0067etFaults"}')).status,
    401,
  )
  // A notification (no id) would get no response at all: it must not run unseen either.
  assert.is(
    (await postRaw('{"jsonrpc":"2.0","method":"sim\\u005fsetFaults","params":[{"latencyMs":5000}]}')).status,
    401,
  )
  untouched()
  // With a token the escaped name runs, as the plain one does.
  const ok = await postRaw('{"jsonrpc":"2.0","id":1,"method":"sim\\u005fgetFaults"}', `Bearer ${signJwt(s.secret)}`)
  assert.is(JSON.parse(ok.text).result.latencyMs, 0)
})

test('every call of a batch is decided: an escaped engine_ or sim_ call in second place needs a token', async () => {
  const batch = `[${JSON.stringify(call('eth_chainId'))},{"jsonrpc":"2.0","id":2,"method":"sim\\u005fsetFaults","params":[{"latencyMs":5000}]}]`
  const res = await postRaw(batch)
  assert.is(res.status, 401)
  assert.is(res.text, 'missing token\n')
  untouched()
  const late = [...Array.from({ length: 20 }, () => call('eth_blockNumber')), call('engine_exchangeCapabilities', [[]])]
  assert.is((await post(late)).status, 401)
  assert.is((await post(late, 'Bearer not.a.token')).status, 401)
})

test('a duplicate "method" key: the one that runs (JSON.parse keeps the last) decides', async () => {
  const hidden = await postRaw(
    '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","method":"sim\\u005fsetFaults","params":[{"latencyMs":5000}]}',
  )
  assert.is(hidden.status, 401)
  untouched()
  // The other way round eth_chainId is what runs, and it needs no token.
  const shadowed = await postRaw(
    '{"jsonrpc":"2.0","id":1,"method":"sim_setFaults","method":"eth_chainId","params":[{"latencyMs":5000}]}',
  )
  assert.is(shadowed.status, 200)
  assert.is(JSON.parse(shadowed.text).result, '0x385')
  untouched()
})

test('other spellings reach no guarded method: case, spaces, nesting, non-string methods', async () => {
  for (const raw of [
    '{"jsonrpc":"2.0","id":1,"method":"SIM_setFaults","params":[{"latencyMs":5000}]}',
    '{"jsonrpc":"2.0","id":1,"method":" sim_setFaults","params":[{"latencyMs":5000}]}',
    '{"jsonrpc":"2.0","id":1,"method":["sim_setFaults"],"params":[{"latencyMs":5000}]}',
    '[[{"jsonrpc":"2.0","id":1,"method":"sim_setFaults","params":[{"latencyMs":5000}]}]]',
    '{"jsonrpc":"2.0","id":1,"__proto__":{"method":"sim_setFaults"},"params":[{"latencyMs":5000}]}',
  ]) {
    const res = await postRaw(raw)
    assert.ok(
      res.status === 401 || JSON.stringify(JSON.parse(res.text)).includes('"error"'),
      `${raw} → ${res.status} ${res.text}`,
    )
    untouched()
  }
  // Trailing text after the name is still an engine_/sim_ method: refused before the table says -32601.
  assert.is((await postRaw('{"jsonrpc":"2.0","id":1,"method":"sim_setFaults ","params":[{}]}')).status, 401)
})

test('deny by default: only eth_, net_, web3_ and txpool_ are public; admin_, debug_ and unknown namespaces need a token', async () => {
  for (const method of [
    'admin_peers',
    'debug_traceTransaction',
    'miner_start',
    'personal_unlockAccount',
    ' engine_x',
    'Engine_getPayloadV4',
  ]) {
    assert.is((await post(call(method))).status, 401, method)
    const authed = await post(call(method), `Bearer ${signJwt(s.secret)}`)
    assert.is(JSON.parse(authed.text).error.code, -32601, method)
  }
  for (const method of ['eth_blockNumber', 'net_version', 'web3_clientVersion', 'txpool_content'])
    assert.is((await post(call(method))).status, 200, method)
})

test.run()
