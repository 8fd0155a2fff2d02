import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createRpcServer } from '../../src/rpc/index.js'
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

test.after(() => app.close())
test.run()
