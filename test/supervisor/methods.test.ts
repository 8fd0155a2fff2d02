import { randomBytes } from 'node:crypto'
import { Registry } from 'prom-client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createIndexBackend } from '../../src/check/indexBackend.js'
import { accessFor, encodeAccess, type Hex, type Identifier } from '../../src/interop/index.js'
import { createRpcServer, signJwt } from '../../src/rpc/index.js'
import { Failsafe } from '../../src/supervisor/failsafe.js'
import { createHealth } from '../../src/supervisor/health.js'
import { supervisorMethods } from '../../src/supervisor/methods/index.js'
import { supervisorMetrics } from '../../src/supervisor/metrics.js'
import { createLogger } from '../../src/util/logger.js'
import { FakeLogReader } from '../_helpers/fakeLogReader.js'

const A = 901n
const B = 902n
const T = 1_700_000_000n
const PAYLOAD = `0x${'ab'.repeat(32)}` as Hex
const id: Identifier = {
  origin: '0x00000000000000000000000000000000000e1771',
  blockNumber: 3n,
  logIndex: 0,
  timestamp: T + 3n,
  chainId: A,
}

const reader = new FakeLogReader().addChain(A).addChain(B).addChain(903n, { ready: false })
for (let n = 0n; n <= 5n; n++) {
  reader.addBlock(A, n, T + n)
  reader.addBlock(B, n, T + 100n + n)
}
reader.addMessage(id, PAYLOAD)
reader.setHead(A, 'cross-unsafe', 4n)
reader.setHead(A, 'safe', 2n)
reader.setHead(A, 'finalized', 1n)
reader.setHead(B, 'cross-unsafe', 5n)
reader.setHead(B, 'safe', 5n)
reader.setHead(B, 'finalized', 3n)

const secret = randomBytes(32)
const registry = new Registry()
const metrics = supervisorMetrics(registry)
const logger = createLogger('silent')
const backend = createIndexBackend(reader, { status: () => [] })
const failsafe = new Failsafe(false, metrics.failsafe)
const withAdmin = createRpcServer({
  methods: supervisorMethods({ backend, failsafe, logger, metrics, adminSecret: secret }),
  logger,
  registry,
})
const noAdmin = createRpcServer({ methods: supervisorMethods({ backend, failsafe: new Failsafe(), logger }), logger })

let nextId = 1
async function call(method: string, params: unknown[], opts: { app?: typeof withAdmin; token?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`
  const res = await (opts.app ?? withAdmin).inject({
    method: 'POST',
    url: '/',
    headers,
    payload: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  })
  assert.is(res.statusCode, 200)
  return res.json() as { result?: unknown; error?: { code: number; message: string } }
}
const codeOf = (r: { error?: { code: number } }) => r.error?.code ?? 0
const desc = { chainID: String(B), timestamp: `0x${(T + 10n).toString(16)}` }
const entries = encodeAccess(accessFor(id, PAYLOAD))
const message = {
  identifier: {
    origin: id.origin,
    blockNumber: '0x3',
    logIndex: '0x0',
    timestamp: `0x${id.timestamp.toString(16)}`,
    chainID: `0x${A.toString(16)}`,
  },
  payloadHash: PAYLOAD,
}

test('every checkAccessList name answers the same', async () => {
  for (const m of ['supervisor_checkAccessList', 'interop_checkAccessList', 'supervisor_validateAccessList']) {
    assert.equal(await call(m, [entries, 'cross-unsafe', desc]), { jsonrpc: '2.0', id: nextId - 1, result: null })
    assert.is(codeOf(await call(m, [entries.slice(0, 1), 'unsafe', desc])), -32602)
    assert.is(codeOf(await call(m, [entries, 'safe', desc])), -321401)
  }
})

test('validateMessagesV2 / checkMessagesV2 share the code path', async () => {
  for (const m of ['supervisor_validateMessagesV2', 'supervisor_checkMessagesV2']) {
    assert.is((await call(m, [[message], 'unsafe', desc])).result, null)
    assert.is(codeOf(await call(m, [[{ ...message, payloadHash: '0x1234' }], 'unsafe', desc])), -32602)
    assert.is(codeOf(await call(m, [[{ ...message, payloadHash: `0x${'cd'.repeat(32)}` }], 'unsafe', desc])), -320600)
    assert.is(
      codeOf(await call(m, [[{ ...message, identifier: { ...message.identifier, logIndex: '0x1' } }], 'unsafe', desc])),
      -320600,
    )
    const bad = await call(m, [[{ ...message, identifier: { ...message.identifier, origin: 'x' } }], 'unsafe', desc])
    assert.is(bad.error?.message, 'failed to read data: message 0: invalid origin address')
    assert.is(codeOf(await call(m, [[message], 'unsafe', { ...desc, chainID: undefined, chainId: String(B) }])), 0)
  }
})

test('admin methods: the setter disabled without a secret, then no token / bad token / good token; the getter public', async () => {
  // op-interop-filter serves the getter without auth on the public port (optimism#19304): proxyd and op-reth poll it.
  assert.is((await call('admin_getFailsafeEnabled', [], { app: noAdmin })).result, false)
  assert.is(codeOf(await call('admin_setFailsafeEnabled', [true], { app: noAdmin })), -32601)
  const none = await call('admin_setFailsafeEnabled', [true])
  assert.is(none.error?.code, -32000)
  assert.is(none.error?.message, 'unauthorized: missing bearer token')
  assert.is(codeOf(await call('admin_setFailsafeEnabled', [true], { token: signJwt(randomBytes(32)) })), -32000)
  assert.is(
    codeOf(
      await call('admin_setFailsafeEnabled', [true], { token: signJwt(secret, Math.floor(Date.now() / 1000) - 600) }),
    ),
    -32000,
  )
  assert.is((await call('admin_getFailsafeEnabled', [])).result, false)
  assert.is(codeOf(await call('admin_setFailsafeEnabled', ['yes'], { token: signJwt(secret) })), -32602)
})

test('failsafe on: every check answers -320602; off again: answers resume', async () => {
  assert.is((await call('admin_setFailsafeEnabled', [true], { token: signJwt(secret) })).result, null)
  assert.is((await call('admin_getFailsafeEnabled', [], { token: signJwt(secret) })).result, true)
  const r = await call('supervisor_checkAccessList', [entries, 'unsafe', desc])
  assert.equal(r.error, { code: -320602, message: 'failsafe is enabled, rejecting all CheckAccessList requests' })
  assert.is(codeOf(await call('supervisor_validateMessagesV2', [[message], 'bogus', desc])), -320602)
  const text = await registry.metrics()
  assert.match(text, /superguard_supervisor_failsafe_enabled 1/)
  assert.match(text, /superguard_supervisor_checks_total\{method="supervisor_checkAccessList",code="-320602"\} 1/)
  await call('admin_setFailsafeEnabled', [false], { token: signJwt(secret) })
  assert.is((await call('supervisor_checkAccessList', [entries, 'unsafe', desc])).result, null)
  assert.match(await registry.metrics(), /superguard_supervisor_failsafe_enabled 0/)
})

test("syncStatus has op-supervisor's shape: plain-number block refs, decimal chain keys, zero L1", async () => {
  assert.is(codeOf(await call('supervisor_syncStatus', [])), -320400) // chain 903 still backfilling
  reader.setReady(903n, true)
  reader.addBlock(903n, 0n, T)
  const r = (await call('supervisor_syncStatus', [])).result as Record<string, unknown>
  const zero = `0x${'0'.repeat(64)}`
  assert.equal(r.minSyncedL1, { hash: zero, number: 0, parentHash: zero, timestamp: 0 })
  const chains = r.chains as Record<
    string,
    Record<string, { hash: string; number: number; parentHash?: string; timestamp?: number }>
  >
  assert.equal(Object.keys(chains), ['901', '902', '903'])
  const a = chains['901']!
  const head = reader.head(A, 'unsafe')!
  assert.equal(a.localUnsafe, { hash: head.hash, number: 5, parentHash: head.parentHash, timestamp: Number(T + 5n) })
  assert.equal(a.crossUnsafe, { hash: reader.block(A, 4n)!.hash, number: 4 })
  assert.equal(a.localSafe, { hash: reader.block(A, 2n)!.hash, number: 2 })
  assert.equal(a.safe, a.localSafe)
  assert.equal(a.finalized, { hash: reader.block(A, 1n)!.hash, number: 1 })
  assert.equal(chains['903']!.safe, { hash: zero, number: 0 }) // no safe block yet
  assert.is(r.safeTimestamp, 0) // minimum over chains; 903 has none
  assert.is(r.finalizedTimestamp, 0)
  reader.setReady(903n, false)
})

test('localUnsafe / crossSafe / finalized: BlockID shapes and chain errors', async () => {
  const hex = `0x${A.toString(16)}`
  assert.equal((await call('supervisor_localUnsafe', [String(A)])).result, {
    hash: reader.block(A, 5n)!.hash,
    number: 5,
  })
  assert.equal((await call('supervisor_crossSafe', [hex])).result, {
    source: { hash: `0x${'0'.repeat(64)}`, number: 0 },
    derived: { hash: reader.block(A, 2n)!.hash, number: 2 },
  })
  assert.equal((await call('supervisor_finalized', [String(A)])).result, { hash: reader.block(A, 1n)!.hash, number: 1 })
  assert.is(codeOf(await call('supervisor_localUnsafe', ['77'])), -320501)
  assert.is(codeOf(await call('supervisor_finalized', ['903'])), -320400)
  assert.is(codeOf(await call('supervisor_crossSafe', [{}])), -32602)
})

test('healthz: 503 while backfilling, stale or lagging; 200 within two poll intervals of the head', () => {
  let now = 10_000
  const head = reader.head(A, 'unsafe')!
  let status = {
    chainId: A,
    ready: false,
    indexed: head,
    remoteHead: 5n as bigint | undefined,
    lastPollAt: now as number | undefined,
  }
  const health = createHealth(
    1000,
    () => [status],
    () => now,
  )
  assert.is(health().status, 503)
  status = { ...status, ready: true }
  assert.is(health().status, 200)
  now += 2500
  assert.is(health().status, 503) // no poll for 2.5 intervals
  status = { ...status, lastPollAt: now, remoteHead: 6n }
  assert.is(health().status, 200) // behind, but only just
  now += 1500
  status = { ...status, lastPollAt: now }
  assert.is(health().status, 200)
  now += 1000
  status = { ...status, lastPollAt: now }
  const res = health()
  assert.is(res.status, 503) // behind for 2.5 intervals
  assert.match(JSON.stringify(res.body), /behind the chain head/)
  status = { ...status, remoteHead: 5n }
  assert.is(health().status, 200)
})

test.after(async () => {
  await withAdmin.close()
  await noAdmin.close()
})
test.run()
