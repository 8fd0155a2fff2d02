import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createRegistry, createRpcServer, rpcCallObserver } from '../../src/rpc/index.js'
import { InvalidParamsError } from '../../src/errors/index.js'
import { createLogger } from '../../src/util/logger.js'

const methods = new Map<string, (p: readonly unknown[]) => unknown>([
  ['echo', (p) => p[0]],
  ['fail', () => { throw new InvalidParamsError('failed to read data: expected entry') }],
  ['boom', () => { throw new Error('secret internals') }],
])
const app = createRpcServer({ methods, logger: createLogger('silent'), maxBatch: 3, bodyLimit: 1024 })
const post = (payload: string) => app.inject({ method: 'POST', url: '/', payload, headers: { 'content-type': 'application/json' } })

test('single request returns its result', async () => {
  const res = await post(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'echo', params: ['hi'] }))
  assert.is(res.statusCode, 200)
  assert.equal(res.json(), { jsonrpc: '2.0', id: 7, result: 'hi' })
})

test('service errors keep their code; unknown errors do not leak', async () => {
  const res = await post(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'fail' }, { jsonrpc: '2.0', id: 2, method: 'boom' }, { jsonrpc: '2.0', id: 3, method: 'nope' }]))
  assert.equal(res.json(), [
    { jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'failed to read data: expected entry' } },
    { jsonrpc: '2.0', id: 2, error: { code: -32603, message: 'internal error' } },
    { jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'the method nope does not exist/is not available' } },
  ])
})

test('malformed JSON is -32700, oversized batch and body are refused', async () => {
  assert.is((await post('{')).json().error.code, -32700)
  const batch = await post(JSON.stringify(Array.from({ length: 4 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'echo' }))))
  assert.is(batch.statusCode, 413)
  assert.is(batch.json().error.code, -32600)
  const big = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo', params: ['x'.repeat(2000)] }))
  assert.is(big.statusCode, 413)
  assert.is(big.json().error.code, -32021)
})

test('notifications get no response', async () => {
  const res = await post(JSON.stringify({ jsonrpc: '2.0', method: 'echo', params: [1] }))
  assert.is(res.statusCode, 204)
})

test('an empty batch is refused; an all-notification batch gets 204; mixed batches answer only requests', async () => {
  const empty = await post('[]')
  assert.is(empty.statusCode, 400)
  assert.is(empty.json().error.code, -32600)
  assert.is((await post(JSON.stringify([{ jsonrpc: '2.0', method: 'echo' }]))).statusCode, 204)
  const mixed = await post(JSON.stringify([{ jsonrpc: '2.0', method: 'echo' }, { jsonrpc: '2.0', id: 9, method: 'echo', params: [9] }, 5]))
  assert.equal(mixed.json(), [{ jsonrpc: '2.0', id: 9, result: 9 }, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'invalid request: request must be an object' } }])
})

test('batchScope wraps the synchronous dispatch of each batch, once, and never a single call', async () => {
  let depth = 0
  const scopes: string[] = []
  const scoped = createRpcServer({
    methods: new Map<string, (p: readonly unknown[]) => unknown>([
      ['inScope', () => depth],
      ['later', async () => { await Promise.resolve(); return depth }],
    ]),
    logger: createLogger('silent'),
    batchScope: (run) => {
      scopes.push('batch')
      depth++
      try { return run() } finally { depth-- }
    },
  })
  const call = (id: number, method: string) => ({ jsonrpc: '2.0', id, method })
  const res = await scoped.inject({ method: 'POST', url: '/', payload: JSON.stringify([call(1, 'inScope'), call(2, 'later'), call(3, 'inScope')]) })
  assert.equal(res.json(), [{ jsonrpc: '2.0', id: 1, result: 1 }, { jsonrpc: '2.0', id: 2, result: 0 }, { jsonrpc: '2.0', id: 3, result: 1 }], 'an async call leaves the scope at its first await')
  assert.equal(scopes, ['batch'])
  const single = await scoped.inject({ method: 'POST', url: '/', payload: JSON.stringify(call(4, 'inScope')) })
  assert.equal(single.json(), { jsonrpc: '2.0', id: 4, result: 0 })
  assert.equal(scopes, ['batch'])
})

test('any content type is read as JSON', async () => {
  const res = await app.inject({ method: 'POST', url: '/', payload: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo', params: [1] }), headers: { 'content-type': 'text/plain' } })
  assert.equal(res.json(), { jsonrpc: '2.0', id: 1, result: 1 })
})

test('/healthz defaults to 200 {ok: true}', async () => {
  const res = await app.inject({ method: 'GET', url: '/healthz' })
  assert.is(res.statusCode, 200)
  assert.equal(res.json(), { ok: true })
})

test('custom path, health, httpStatus and /metrics', async () => {
  const registry = createRegistry()
  const other = createRpcServer({
    methods, logger: createLogger('silent'), path: '/rpc', registry, observe: rpcCallObserver(registry),
    health: async () => ({ status: 503, body: { ok: false, reason: 'backfilling' } }),
    httpStatus: (r) => ('error' in r ? 409 : 200),
  })
  const call = (method: string) => other.inject({ method: 'POST', url: '/rpc', payload: JSON.stringify({ jsonrpc: '2.0', id: 1, method }) })
  assert.is((await call('fail')).statusCode, 409)
  assert.is((await call('echo')).statusCode, 200)
  assert.is((await other.inject({ method: 'POST', url: '/', payload: '{}' })).statusCode, 404)
  const health = await other.inject({ method: 'GET', url: '/healthz' })
  assert.is(health.statusCode, 503)
  assert.equal(health.json(), { ok: false, reason: 'backfilling' })
  const metrics = await other.inject({ method: 'GET', url: '/metrics' })
  assert.is(metrics.statusCode, 200)
  assert.match(metrics.body, /superguard_rpc_calls_total\{method="fail",code="-32602"\} 1/)
  assert.match(metrics.body, /superguard_rpc_calls_total\{method="echo",code="0"\} 1/)
  assert.is((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404)
  await other.close()
})

test.after(() => app.close())
test.run()
