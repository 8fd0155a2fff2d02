import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Authorize, createRpcServer } from '../../src/rpc/index.js'
import { createLogger } from '../../src/util/logger.js'

const ran: string[] = []
const methods = new Map<string, (p: readonly unknown[]) => unknown>([
  [
    'open_echo',
    (p) => {
      ran.push('open_echo')
      return p[0]
    },
  ],
  [
    'guarded_set',
    () => {
      ran.push('guarded_set')
      return true
    },
  ],
])
const asked: string[] = []
const authorize: Authorize = (method, ctx) => {
  asked.push(method)
  if (!method.startsWith('guarded_') || ctx.headers.authorization === 'yes') return undefined
  return { status: 401, contentType: 'text/plain', body: 'no\n' }
}
const app = createRpcServer({ methods, logger: createLogger('silent'), authorize })
const post = (payload: string, authorization?: string) =>
  app.inject({
    method: 'POST',
    url: '/',
    payload,
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
  })

test.before.each(() => {
  ran.length = 0
  asked.length = 0
})
test.after(() => app.close())

test('authorize sees the parsed method: an escaped name is the name dispatch runs', async () => {
  const res = await post('{"jsonrpc":"2.0","id":1,"method":"guarded\\u005fset"}')
  assert.is(res.statusCode, 401)
  assert.is(res.headers['content-type'], 'text/plain')
  assert.is(res.body, 'no\n')
  assert.equal(asked, ['guarded_set'])
  assert.equal(ran, [])
})

test('every call of a batch is asked before any runs; one refusal answers the whole request', async () => {
  const res = await post(
    '[{"jsonrpc":"2.0","id":1,"method":"open_echo","params":[1]},{"jsonrpc":"2.0","id":2,"method":"guarded_set"}]',
  )
  assert.is(res.statusCode, 401)
  assert.equal(asked, ['open_echo', 'guarded_set'])
  assert.equal(ran, [])
  const ok = await post(
    '[{"jsonrpc":"2.0","id":1,"method":"open_echo","params":[1]},{"jsonrpc":"2.0","id":2,"method":"guarded_set"}]',
    'yes',
  )
  assert.equal(ok.json(), [
    { jsonrpc: '2.0', id: 1, result: 1 },
    { jsonrpc: '2.0', id: 2, result: true },
  ])
})

test('calls that are not requests are left to dispatch (-32600), not to authorize', async () => {
  const res = await post('[1,null,{"jsonrpc":"2.0","id":3,"method":7}]')
  assert.is(res.statusCode, 200)
  assert.equal(asked, [])
  assert.ok((res.json() as { error: { code: number } }[]).every((r) => r.error.code === -32600))
})

test.run()
