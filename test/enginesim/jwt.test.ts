import { randomBytes } from 'node:crypto'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { signJwt } from '../../src/rpc/jwt.js'
import { startSim, type Sim } from './_helpers.js'

let s: Sim
test.before(async () => { s = await startSim() })
test.after(async () => { await s?.close() })

const post = async (body: unknown, authorization?: string) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (authorization !== undefined) headers.authorization = authorization
  const res = await fetch(s.url, { method: 'POST', headers, body: JSON.stringify(body) })
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() }
}
const call = (method: string, params: unknown[] = []) => ({ jsonrpc: '2.0', id: 1, method, params })
const now = () => Math.floor(Date.now() / 1000)

test('engine_ calls without a token get HTTP 401 "missing token" as from geth', async () => {
  const res = await post(call('engine_exchangeCapabilities', [[]]))
  assert.is(res.status, 401)
  assert.match(res.type, 'text/plain')
  assert.is(res.text, 'missing token\n')
  assert.is((await post(call('engine_exchangeCapabilities', [[]]), 'Basic abc')).text, 'missing token\n')
})

test('stale, future, wrongly signed and malformed tokens are refused', async () => {
  assert.is((await post(call('engine_exchangeCapabilities', [[]]), `Bearer ${signJwt(s.secret, now() - 120)}`)).text, 'stale token\n')
  assert.is((await post(call('engine_exchangeCapabilities', [[]]), `Bearer ${signJwt(s.secret, now() + 120)}`)).text, 'future token\n')
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

test.run()
