import { pino } from 'pino'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { InvalidParamsError } from '../../src/errors/index.js'
import { createRegistry, createRpcServer, rpcCallObserver } from '../../src/rpc/index.js'
import { createLogger } from '../../src/util/logger.js'

const methods = new Map<string, (p: readonly unknown[]) => unknown>([
  ['echo', (p) => p[0]],
  [
    'fail',
    () => {
      throw new InvalidParamsError('failed to read data: expected entry')
    },
  ],
  [
    'boom',
    () => {
      throw new Error('secret internals')
    },
  ],
])
const app = createRpcServer({ methods, logger: createLogger('silent'), maxBatch: 3, bodyLimit: 1024 })
const post = (payload: string) =>
  app.inject({ method: 'POST', url: '/', payload, headers: { 'content-type': 'application/json' } })

test('single request returns its result', async () => {
  const res = await post(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'echo', params: ['hi'] }))
  assert.is(res.statusCode, 200)
  assert.equal(res.json(), { jsonrpc: '2.0', id: 7, result: 'hi' })
})

test('service errors keep their code; unknown errors do not leak', async () => {
  const res = await post(
    JSON.stringify([
      { jsonrpc: '2.0', id: 1, method: 'fail' },
      { jsonrpc: '2.0', id: 2, method: 'boom' },
      { jsonrpc: '2.0', id: 3, method: 'nope' },
    ]),
  )
  assert.equal(res.json(), [
    { jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'failed to read data: expected entry' } },
    { jsonrpc: '2.0', id: 2, error: { code: -32603, message: 'internal error' } },
    { jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'the method nope does not exist/is not available' } },
  ])
})

test('malformed JSON is -32700, oversized batch and body are refused', async () => {
  assert.is((await post('{')).json().error.code, -32700)
  const batch = await post(
    JSON.stringify(Array.from({ length: 4 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'echo' }))),
  )
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
  const mixed = await post(
    JSON.stringify([{ jsonrpc: '2.0', method: 'echo' }, { jsonrpc: '2.0', id: 9, method: 'echo', params: [9] }, 5]),
  )
  assert.equal(mixed.json(), [
    { jsonrpc: '2.0', id: 9, result: 9 },
    { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'invalid request: request must be an object' } },
  ])
})

test('batchScope wraps the synchronous dispatch of each batch, once, and never a single call', async () => {
  let depth = 0
  const scopes: string[] = []
  const scoped = createRpcServer({
    methods: new Map<string, (p: readonly unknown[]) => unknown>([
      ['inScope', () => depth],
      [
        'later',
        async () => {
          await Promise.resolve()
          return depth
        },
      ],
    ]),
    logger: createLogger('silent'),
    batchScope: (run) => {
      scopes.push('batch')
      depth++
      try {
        return run()
      } finally {
        depth--
      }
    },
  })
  const call = (id: number, method: string) => ({ jsonrpc: '2.0', id, method })
  const res = await scoped.inject({
    method: 'POST',
    url: '/',
    payload: JSON.stringify([call(1, 'inScope'), call(2, 'later'), call(3, 'inScope')]),
  })
  assert.equal(
    res.json(),
    [
      { jsonrpc: '2.0', id: 1, result: 1 },
      { jsonrpc: '2.0', id: 2, result: 0 },
      { jsonrpc: '2.0', id: 3, result: 1 },
    ],
    'an async call leaves the scope at its first await',
  )
  assert.equal(scopes, ['batch'])
  const single = await scoped.inject({ method: 'POST', url: '/', payload: JSON.stringify(call(4, 'inScope')) })
  assert.equal(single.json(), { jsonrpc: '2.0', id: 4, result: 0 })
  assert.equal(scopes, ['batch'])
})

test('sync and async methods answer alike, single and batch; a throw in the batch scope is a 500 without its text', async () => {
  const mixed = createRpcServer({
    methods: new Map<string, (p: readonly unknown[]) => unknown>([
      ['now', (p) => p[0]],
      ['later', async (p) => p[0]],
      [
        'laterFails',
        async () => {
          throw new InvalidParamsError('bad later')
        },
      ],
    ]),
    logger: createLogger('silent'),
    batchScope: (run) => {
      if (scopeThrows) throw new Error('disk on fire')
      return run()
    },
  })
  let scopeThrows = false
  const call = (id: number, method: string, v: unknown) => ({ jsonrpc: '2.0', id, method, params: [v] })
  const ask = (body: unknown) => mixed.inject({ method: 'POST', url: '/', payload: JSON.stringify(body) })
  for (const method of ['now', 'later']) {
    const res = await ask(call(1, method, method))
    assert.is(res.statusCode, 200, method)
    assert.equal(res.json(), { jsonrpc: '2.0', id: 1, result: method })
  }
  const failed = await ask(call(2, 'laterFails', 0))
  assert.is(failed.json().error.code, -32602)
  const batch = await ask([call(1, 'later', 'a'), call(2, 'now', 'b')])
  assert.equal(batch.json(), [
    { jsonrpc: '2.0', id: 1, result: 'a' },
    { jsonrpc: '2.0', id: 2, result: 'b' },
  ])
  scopeThrows = true
  const broken = await ask([call(1, 'now', 'a')])
  assert.is(broken.statusCode, 500)
  assert.is(broken.json().error.code, -32603)
  assert.not.match(broken.body, /disk on fire/)
  await mixed.close()
})

test('any content type is read as JSON', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/',
    payload: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo', params: [1] }),
    headers: { 'content-type': 'text/plain' },
  })
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
    methods,
    logger: createLogger('silent'),
    path: '/rpc',
    registry,
    observe: rpcCallObserver(registry),
    health: async () => ({ status: 503, body: { ok: false, reason: 'backfilling' } }),
    httpStatus: (r) => ('error' in r ? 409 : 200),
  })
  const call = (method: string) =>
    other.inject({ method: 'POST', url: '/rpc', payload: JSON.stringify({ jsonrpc: '2.0', id: 1, method }) })
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

test('params nested 60k deep are -32600 with a clear message, before any method runs (was -32603 / a transient code)', async () => {
  let ran = 0
  const deep = createRpcServer({
    methods: new Map([
      [
        'echo',
        (p: readonly unknown[]) => {
          ran++
          return JSON.stringify(p)
        },
      ],
    ]),
    logger: createLogger('silent'),
    bodyLimit: 1024 * 1024,
  })
  const nested = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`
  for (const body of [
    `{"jsonrpc":"2.0","id":1,"method":"echo","params":[${nested(60_000)}]}`,
    `[{"jsonrpc":"2.0","id":1,"method":"echo","params":["cross-unsafe",${'{"a":'.repeat(60_000)}1${'}'.repeat(60_000)}]}]`,
  ]) {
    const res = await deep.inject({ method: 'POST', url: '/', payload: body })
    assert.is(res.statusCode, 400)
    assert.equal(res.json(), {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'invalid request: nested deeper than 64 levels' },
    })
  }
  assert.is(ran, 0)
  // 64 levels pass (the deepest real payload, a batched newPayload, has 6); brackets inside strings do not count.
  const ok = await deep.inject({
    method: 'POST',
    url: '/',
    payload: `{"jsonrpc":"2.0","id":1,"method":"echo","params":[${nested(62)}, "[[[[\\"[[[["]}`,
  })
  assert.is(ok.json().id, 1)
  assert.ok('result' in ok.json())
  await deep.close()
})

test('a batch over its cost budget is refused whole before any call runs, naming the heavy method', async () => {
  let ran = 0
  const costly = createRpcServer({
    methods: new Map<string, () => unknown>([
      [
        'heavy',
        () => {
          ran++
          return { big: 'x'.repeat(1500) }
        },
      ],
      [
        'cheap',
        () => {
          ran++
          return null
        },
      ],
    ]),
    logger: createLogger('silent'),
    maxBatch: 1000,
    methodCosts: new Map([['heavy', 50]]),
  })
  const batch = (method: string, n: number) =>
    JSON.stringify(Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: i, method })))
  const refused = await costly.inject({ method: 'POST', url: '/', payload: batch('heavy', 1000) })
  assert.is(refused.statusCode, 413)
  assert.equal(refused.json(), {
    jsonrpc: '2.0',
    id: null,
    error: { code: -32600, message: 'invalid request: batch costs 50000 (heavy costs 50), over the limit of 1000' },
  })
  assert.is(ran, 0)
  assert.is((await costly.inject({ method: 'POST', url: '/', payload: batch('heavy', 20) })).json().length, 20)
  assert.is((await costly.inject({ method: 'POST', url: '/', payload: batch('cheap', 1000) })).json().length, 1000)
  assert.is((await costly.inject({ method: 'POST', url: '/', payload: batch('heavy', 21) })).statusCode, 413)
  await costly.close()
})

test('answers over the response cap: a batch keeps the items that fit and answers -32020 for the rest; a single answer becomes -32020', async () => {
  const capped = createRpcServer({
    methods: new Map([['page', () => 'p'.repeat(1000)]]),
    logger: createLogger('silent'),
    maxResponseBytes: 3500,
  })
  const res = await capped.inject({
    method: 'POST',
    url: '/',
    payload: JSON.stringify(Array.from({ length: 5 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'page' }))),
  })
  assert.is(res.statusCode, 200)
  assert.ok(res.body.length <= 3500 + 5 * 120)
  const items = res.json() as { id: number; result?: string; error?: { code: number; message: string } }[]
  assert.equal(
    items.map((r) => r.id),
    [0, 1, 2, 3, 4],
  )
  assert.equal(
    items.map((r) => (r.error ? r.error.code : 'ok')),
    ['ok', 'ok', 'ok', -32020, -32020],
  )
  assert.is(items[3]!.error!.message, 'response too large: over 3500 bytes')
  const single = createRpcServer({
    methods: new Map([['page', () => 'p'.repeat(5000)]]),
    logger: createLogger('silent'),
    maxResponseBytes: 3500,
  })
  assert.equal(
    (await single.inject({ method: 'POST', url: '/', payload: '{"jsonrpc":"2.0","id":9,"method":"page"}' })).json(),
    { jsonrpc: '2.0', id: 9, error: { code: -32020, message: 'response too large: over 3500 bytes' } },
  )
  await capped.close()
  await single.close()
})

test('an internal failure outside a method (a storage error in the batch scope) is -32603 without its text, and logged', async () => {
  const lines: string[] = []
  const logger = pino(
    { level: 'error' },
    {
      write: (l: string) => {
        lines.push(l)
      },
    },
  )
  const broken = createRpcServer({
    methods,
    logger,
    batchScope: () => {
      throw new Error('database disk image is malformed')
    },
  })
  const res = await broken.inject({
    method: 'POST',
    url: '/',
    payload: JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'echo' }]),
  })
  assert.is(res.statusCode, 500)
  assert.equal(res.json(), { jsonrpc: '2.0', id: null, error: { code: -32603, message: 'internal error' } })
  assert.not.match(res.body, /malformed/)
  assert.is(lines.length, 1)
  assert.match(lines[0]!, /database disk image is malformed/)
  await broken.close()
})

test('unknown paths are 404 and wrong methods 405 with Allow, each with a JSON-RPC error body; GET /healthz and /metrics stay', async () => {
  const registry = createRegistry()
  const other = createRpcServer({ methods, logger: createLogger('silent'), registry })
  const get = await other.inject({ method: 'GET', url: '/' })
  assert.is(get.statusCode, 405)
  assert.is(get.headers.allow, 'POST')
  assert.equal(get.json(), {
    jsonrpc: '2.0',
    id: null,
    error: { code: -32600, message: 'invalid request: GET / is not allowed: JSON-RPC takes POST' },
  })
  const put = await other.inject({ method: 'PUT', url: '/?x=1', payload: '{}' })
  assert.is(put.statusCode, 405)
  const post = await other.inject({ method: 'POST', url: '/healthz', payload: '{}' })
  assert.is(post.statusCode, 405)
  assert.is(post.headers.allow, 'GET, HEAD')
  const unknown = await other.inject({ method: 'GET', url: '/nope' })
  assert.is(unknown.statusCode, 404)
  assert.equal(unknown.json(), {
    jsonrpc: '2.0',
    id: null,
    error: { code: -32600, message: 'invalid request: no endpoint at /nope: JSON-RPC is served by POST /' },
  })
  assert.is((await other.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
  assert.is((await other.inject({ method: 'GET', url: '/metrics' })).statusCode, 200)
  await other.close()
})

test.after(() => app.close())
test.run()
