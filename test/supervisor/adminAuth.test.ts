import { randomBytes } from 'node:crypto'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createIndexBackend } from '../../src/check/indexBackend.js'
import { createRpcServer, signJwt } from '../../src/rpc/index.js'
import { Failsafe } from '../../src/supervisor/failsafe.js'
import { supervisorMethods } from '../../src/supervisor/methods/index.js'
import { createLogger } from '../../src/util/logger.js'
import { FakeLogReader } from '../_helpers/fakeLogReader.js'

// The audit of issue 7 item 2 for the supervisor: admin methods check the token inside the method,
// on the method table's own name, so no spelling of the request reaches them without one.
const secret = randomBytes(32)
const logger = createLogger('silent')
const failsafe = new Failsafe(false)
const backend = createIndexBackend(new FakeLogReader().addChain(901n), { status: () => [] })
const app = createRpcServer({ methods: supervisorMethods({ backend, failsafe, logger, adminSecret: secret }), logger })
test.after(() => app.close())
test.before.each(() => failsafe.set(false))

const post = async (payload: string, token?: string) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  const res = await app.inject({ method: 'POST', url: '/', headers, payload })
  return (res.body === '' ? {} : res.json()) as
    | { error?: { code: number; message: string } }
    | { error?: { code: number } }[]
}

test('escaped names, duplicate keys and batch items reach admin_setFailsafeEnabled only with a token', async () => {
  const single = (await post('{"jsonrpc":"2.0","id":1,"method":"admin\\u005fsetFailsafeEnabled","params":[true]}')) as {
    error?: { code: number }
  }
  assert.is(single.error?.code, -32000)
  const dup = (await post(
    '{"jsonrpc":"2.0","id":1,"method":"supervisor_syncStatus","method":"admin_setFailsafeEnabled","params":[true]}',
  )) as { error?: { code: number } }
  assert.is(dup.error?.code, -32000)
  const batch = (await post(
    '[{"jsonrpc":"2.0","id":1,"method":"admin_getFailsafeEnabled"},{"jsonrpc":"2.0","id":2,"method":"admin\\u005fsetFailsafeEnabled","params":[true]}]',
  )) as { error?: { code: number } }[]
  assert.equal(
    batch.map((r) => r.error?.code),
    [undefined, -32000],
    'the getter is public (op-interop-filter), the setter is not',
  )
  assert.is(failsafe.enabled, false)
  await post('{"jsonrpc":"2.0","method":"admin\\u005fsetFailsafeEnabled","params":[true]}')
  assert.is(failsafe.enabled, false, 'a notification runs unseen: it must be refused all the same')
})

test('a param nested 60k deep is -32602 naming what was expected, not -32603', async () => {
  const text = `${'['.repeat(60_000)}${']'.repeat(60_000)}`
  const deep = JSON.parse(text) as unknown
  // Over HTTP the listener's nesting guard answers first; the method must hold on its own too
  // (a library caller, or a listener with another guard), so call it through the method table.
  const methods = supervisorMethods({ backend, failsafe, logger, adminSecret: secret })
  const ctx = { headers: { authorization: `Bearer ${signJwt(secret)}` } }
  const run = () => methods.get('admin_setFailsafeEnabled')!([deep], ctx)
  assert.throws(
    run,
    (err: { rpcCode?: number; message?: string }) =>
      err.rpcCode === -32602 && /expects one boolean, got an array/.test(err.message ?? ''),
  )
  const res = (await post(
    `{"jsonrpc":"2.0","id":1,"method":"admin_setFailsafeEnabled","params":[${text}]}`,
    signJwt(secret),
  )) as { error?: { code: number; message: string } }
  assert.is(res.error?.code, -32600)
  assert.is(failsafe.enabled, false)
})

test.run()
