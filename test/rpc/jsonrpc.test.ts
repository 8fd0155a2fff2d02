import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ConflictError, InvalidParamsError } from '../../src/errors/index.js'
import { dispatch, type RpcContext, type RpcMethod, toErrorObject } from '../../src/rpc/index.js'

const ctx: RpcContext = { headers: { authorization: 'Bearer x' } }
const seen: { params?: readonly unknown[]; ctx?: RpcContext } = {}
const methods = new Map<string, RpcMethod>([
  [
    'echo',
    (p, c) => {
      seen.params = p
      seen.ctx = c
      return p[0]
    },
  ],
  ['nothing', () => undefined],
  [
    'async',
    async (p) => {
      await Promise.resolve()
      return { got: p }
    },
  ],
  [
    'asyncFail',
    async () => {
      await Promise.resolve()
      throw new ConflictError('checksum mismatch')
    },
  ],
  [
    'asyncBoom',
    async () => {
      throw new Error('secret')
    },
  ],
  [
    'withData',
    () => {
      throw new InvalidParamsError('failed to read data: expected entry', { data: { index: 3 } })
    },
  ],
  [
    'throwsString',
    () => {
      throw 'plain string'
    },
  ],
])
const INVALID = { code: -32600, message: 'invalid request: expected {jsonrpc: "2.0", method: string, id?}' }

test('non-object requests are invalid, with id null', async () => {
  for (const req of [null, 5, 'x', true, [], [{ jsonrpc: '2.0', id: 1, method: 'echo' }]]) {
    assert.equal(
      await dispatch(methods, req, ctx),
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'invalid request: request must be an object' } },
      JSON.stringify(req),
    )
  }
})

test('a wrong or missing jsonrpc version is invalid; the id is kept when usable', async () => {
  assert.equal(await dispatch(methods, { jsonrpc: '1.0', id: 4, method: 'echo' }, ctx), {
    jsonrpc: '2.0',
    id: 4,
    error: INVALID,
  })
  assert.equal(await dispatch(methods, { id: 'a', method: 'echo' }, ctx), { jsonrpc: '2.0', id: 'a', error: INVALID })
  assert.equal(await dispatch(methods, { jsonrpc: 2, id: null, method: 'echo' }, ctx), {
    jsonrpc: '2.0',
    id: null,
    error: INVALID,
  })
})

test('a missing or non-string method is invalid', async () => {
  assert.equal(await dispatch(methods, { jsonrpc: '2.0', id: 1 }, ctx), { jsonrpc: '2.0', id: 1, error: INVALID })
  assert.equal(await dispatch(methods, { jsonrpc: '2.0', id: 1, method: 5 }, ctx), {
    jsonrpc: '2.0',
    id: 1,
    error: INVALID,
  })
})

test('an id that is not a string, finite number or null is invalid and answered with id null', async () => {
  for (const id of [{}, [1], true, Number.NaN]) {
    assert.equal(
      await dispatch(methods, { jsonrpc: '2.0', id, method: 'echo' }, ctx),
      { jsonrpc: '2.0', id: null, error: INVALID },
      String(id),
    )
  }
})

test('params must be an array; missing params become []', async () => {
  assert.equal(await dispatch(methods, { jsonrpc: '2.0', id: 1, method: 'echo', params: { a: 1 } }, ctx), {
    jsonrpc: '2.0',
    id: 1,
    error: { code: -32600, message: 'invalid request: params must be an array' },
  })
  assert.equal(await dispatch(methods, { jsonrpc: '2.0', id: 1, method: 'echo', params: 'x' }, ctx), {
    jsonrpc: '2.0',
    id: 1,
    error: { code: -32600, message: 'invalid request: params must be an array' },
  })
  assert.equal(await dispatch(methods, { jsonrpc: '2.0', id: 2, method: 'echo' }, ctx), {
    jsonrpc: '2.0',
    id: 2,
    result: null,
  })
  assert.equal(seen.params, [])
})

test('the method gets params and the context', async () => {
  assert.equal(await dispatch(methods, { jsonrpc: '2.0', id: 3, method: 'echo', params: ['hi', 2] }, ctx), {
    jsonrpc: '2.0',
    id: 3,
    result: 'hi',
  })
  assert.equal(seen.params, ['hi', 2])
  assert.is(seen.ctx, ctx)
})

test('string, number and null ids are echoed', async () => {
  for (const id of ['abc', 0, -1, 1.5, null]) {
    assert.equal(await dispatch(methods, { jsonrpc: '2.0', id, method: 'echo', params: [1] }, ctx), {
      jsonrpc: '2.0',
      id,
      result: 1,
    })
  }
})

test('undefined results become null', async () => {
  assert.equal(await dispatch(methods, { jsonrpc: '2.0', id: 1, method: 'nothing' }, ctx), {
    jsonrpc: '2.0',
    id: 1,
    result: null,
  })
})

test('async methods are awaited, and their rejections become errors', async () => {
  assert.equal(await dispatch(methods, { jsonrpc: '2.0', id: 1, method: 'async', params: [7] }, ctx), {
    jsonrpc: '2.0',
    id: 1,
    result: { got: [7] },
  })
  assert.equal(await dispatch(methods, { jsonrpc: '2.0', id: 2, method: 'asyncFail' }, ctx), {
    jsonrpc: '2.0',
    id: 2,
    error: { code: -320600, message: 'conflicting data: checksum mismatch' },
  })
  assert.equal(await dispatch(methods, { jsonrpc: '2.0', id: 3, method: 'asyncBoom' }, ctx), {
    jsonrpc: '2.0',
    id: 3,
    error: { code: -32603, message: 'internal error' },
  })
})

test('error data is passed through', async () => {
  assert.equal(await dispatch(methods, { jsonrpc: '2.0', id: 1, method: 'withData' }, ctx), {
    jsonrpc: '2.0',
    id: 1,
    error: { code: -32602, message: 'failed to read data: expected entry', data: { index: 3 } },
  })
})

test('unknown methods are -32601', async () => {
  assert.equal(await dispatch(methods, { jsonrpc: '2.0', id: 1, method: 'nope' }, ctx), {
    jsonrpc: '2.0',
    id: 1,
    error: { code: -32601, message: 'the method nope does not exist/is not available' },
  })
})

test('notifications (no id) run but get no response, even on error', async () => {
  seen.params = undefined
  assert.is(await dispatch(methods, { jsonrpc: '2.0', method: 'echo', params: ['n'] }, ctx), undefined)
  assert.equal(seen.params, ['n'])
  assert.is(await dispatch(methods, { jsonrpc: '2.0', method: 'nope' }, ctx), undefined)
  assert.is(await dispatch(methods, { jsonrpc: '2.0', method: 'asyncBoom' }, ctx), undefined)
})

test('the observer sees method, code and duration; unknown methods are grouped', async () => {
  const calls: [string, number, number][] = []
  const observe = (m: string, c: number, s: number) => {
    calls.push([m, c, s])
  }
  await dispatch(methods, { jsonrpc: '2.0', id: 1, method: 'echo' }, ctx, observe)
  await dispatch(methods, { jsonrpc: '2.0', id: 1, method: 'asyncFail' }, ctx, observe)
  await dispatch(methods, { jsonrpc: '2.0', id: 1, method: 'made-up-name' }, ctx, observe)
  assert.equal(
    calls.map(([m, c]) => [m, c]),
    [
      ['echo', 0],
      ['asyncFail', -320600],
      ['unknown', -32601],
    ],
  )
  for (const [, , s] of calls) assert.ok(s >= 0 && s < 5)
})

test('onInternal hears about non-service errors only', async () => {
  const heard: [unknown, string][] = []
  const onInternal = (e: unknown, m: string) => {
    heard.push([e, m])
  }
  await dispatch(methods, { jsonrpc: '2.0', id: 1, method: 'asyncFail' }, ctx, undefined, onInternal)
  await dispatch(methods, { jsonrpc: '2.0', id: 1, method: 'asyncBoom' }, ctx, undefined, onInternal)
  await dispatch(methods, { jsonrpc: '2.0', id: 1, method: 'throwsString' }, ctx, undefined, onInternal)
  assert.equal(
    heard.map(([, m]) => m),
    ['asyncBoom', 'throwsString'],
  )
  assert.is((heard[0]![0] as Error).message, 'secret')
})

test('toErrorObject never leaks unknown errors', () => {
  assert.equal(toErrorObject(new Error('db password wrong')), { code: -32603, message: 'internal error' })
  assert.equal(toErrorObject(undefined), { code: -32603, message: 'internal error' })
  assert.equal(toErrorObject(new ConflictError()), { code: -320600, message: 'conflicting data' })
})

test.run()
