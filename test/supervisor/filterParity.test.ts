import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { accessListEntries, emitInitiating, type InitiatingMessage } from '../../src/devnet/messages.js'
import { signJwt } from '../../src/rpc/index.js'
import { type Supervisor, startSupervisor, supervisorConfig } from '../../src/supervisor/index.js'
import { toQuantity } from '../../src/util/hex.js'
import { captureLog } from '../_helpers/captureLog.js'
import { type InteropChain, startInteropChains } from '../_helpers/interopChains.js'
import { answerCode, jsonRpc } from '../_helpers/jsonRpc.js'

// op-interop-filter parity (issue 11 item 1), on two real anvil chains and supervisors listening
// on 127.0.0.1, with requests encoded as the real clients encode them: the Go InteropFilterClient
// (eth.ChainID as a decimal string, rpc.BlockNumber as a hex quantity or "latest") and op-reth
// (hex quantities, no `timeout` key when it has none).

const dir = mkdtempSync(join(tmpdir(), 'sg-filter-parity-'))
const secretFile = join(dir, 'jwt.hex')
const secret = randomBytes(32)
writeFileSync(secretFile, secret.toString('hex'))

let chains: Awaited<ReturnType<typeof startInteropChains>>
let a: InteropChain

let plain: Supervisor
let open: Supervisor
let lenient: Supervisor
const log = captureLog()
const m = {} as { first: InitiatingMessage; later: InitiatingMessage }

const common = (extra: string[]) => [
  '--rpc',
  `901=${chains.a.url}`,
  '--rpc',
  `902=${chains.b.url}`,
  '--backend',
  'rpc',
  '--port',
  '0',
  '--poll',
  '100ms',
  '--log-level',
  'silent',
  ...extra,
]

test.before(async () => {
  chains = await startInteropChains()
  ;({ a } = chains)
  m.first = (await emitInitiating(a, chains.signer))[0]!
  // Later blocks a few seconds on, so `later` is after the activation block whatever the clock.
  await a.client.request({
    method: 'anvil_setNextBlockTimestamp' as never,
    params: [Number(m.first.identifier.timestamp) + 5] as never,
  })
  m.later = (await emitInitiating(a, chains.signer))[0]!
  // Chain 901's interop activation is the block of `first`: a message in it is at the boundary.
  const rollup = join(dir, 'rollup-901.json')
  writeFileSync(
    rollup,
    JSON.stringify({
      genesis: { l2: { hash: `0x${'00'.repeat(32)}`, number: 0 }, l2_time: Number(m.first.identifier.timestamp) },
      block_time: 1,
      l2_chain_id: 901,
      lagoon_time: Number(m.first.identifier.timestamp),
    }),
  )
  ;[plain, open, lenient] = await Promise.all([
    startSupervisor(
      supervisorConfig({
        argv: common(['--admin-jwt-secret', secretFile, '--admin-port', '0', '--rollup-config', rollup]),
      }),
      { progress: false },
    ),
    startSupervisor(
      supervisorConfig({
        argv: common(['--dangerously-enable-passthrough']),
      }),
      { progress: false, logger: log.logger },
    ),
    startSupervisor(supervisorConfig({ argv: common(['--allow-missing-chain-id', '--allow-same-timestamp']) }), {
      progress: false,
    }),
  ])
  await Promise.all([plain.ready, open.ready, lenient.ready])
})

test.after(async () => {
  await Promise.all([plain?.close(), open?.close(), lenient?.close()])
  await chains?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** proxyd / Go: chainID decimal. */
const goDescriptor = (chainId: bigint, timestamp: bigint) => ({
  chainID: chainId.toString(),
  timestamp: toQuantity(timestamp),
  timeout: toQuantity(0n),
})
/** op-reth: hex quantities, no timeout key. */
const rethDescriptor = (chainId: bigint, timestamp: bigint) => ({
  chainID: toQuantity(chainId),
  timestamp: toQuantity(timestamp),
})
const check = (s: Supervisor, msg: InitiatingMessage, descriptor: unknown, safety = 'unsafe') =>
  jsonRpc(s.url, 'interop_checkAccessList', [accessListEntries([msg]), safety, descriptor])

test('interop_getBlockHashByNumber as the Go InteropFilterClient calls it', async () => {
  const n = m.later.identifier.blockNumber
  const block = await a.client.getBlock({ blockNumber: n })
  const byNumber = await jsonRpc(plain.url, 'interop_getBlockHashByNumber', ['901', toQuantity(n)])
  assert.is(byNumber.result, block.hash)
  const hexChain = await jsonRpc(plain.url, 'interop_getBlockHashByNumber', ['0x385', toQuantity(n)])
  assert.is(hexChain.result, block.hash)
  const latest = await jsonRpc(plain.url, 'interop_getBlockHashByNumber', ['901', 'latest'])
  assert.match(String(latest.result), /^0x[0-9a-f]{64}$/)
  const missing = await jsonRpc(plain.url, 'interop_getBlockHashByNumber', ['901', toQuantity(n + 1000n)])
  assert.equal(missing.error, { code: -32000, message: `block ${n + 1000n} for chain 901: not found` })
  const tag = await jsonRpc(plain.url, 'interop_getBlockHashByNumber', ['901', 'finalized'])
  assert.equal(tag.error, {
    code: -32000,
    message: 'unsupported block tag "finalized": only "latest" and block numbers are supported',
  })
  assert.is(answerCode(await jsonRpc(plain.url, 'interop_getBlockHashByNumber', ['7', 'latest'])), -320501)
})

test('failsafe and passthrough are readable without auth; the setter lives on the admin port behind JWT', async () => {
  assert.is((await jsonRpc(plain.url, 'admin_getFailsafeEnabled')).result, false)
  assert.is((await jsonRpc(plain.url, 'admin_getPassthroughEnabled')).result, false)
  // The setter is not on the public port once --admin-port is set.
  assert.is(answerCode(await jsonRpc(plain.url, 'admin_setFailsafeEnabled', [true])), -32601)
  const adminUrl = plain.adminUrl!
  assert.is(answerCode(await jsonRpc(adminUrl, 'admin_setFailsafeEnabled', [true])), -32000)
  assert.is(answerCode(await jsonRpc(adminUrl, 'admin_getFailsafeEnabled')), -32000)
  const auth = { authorization: `Bearer ${signJwt(secret)}` }
  assert.is((await jsonRpc(adminUrl, 'admin_setFailsafeEnabled', [true], auth)).result, null)
  assert.is((await jsonRpc(plain.url, 'admin_getFailsafeEnabled')).result, true)
  assert.is(answerCode(await check(plain, m.later, goDescriptor(902n, m.later.identifier.timestamp + 2n))), -320602)
  await jsonRpc(adminUrl, 'admin_setFailsafeEnabled', [false], auth)
  assert.is((await jsonRpc(plain.url, 'admin_getFailsafeEnabled')).result, false)
})

test('--admin-port without --admin-jwt-secret is a config error', () => {
  assert.throws(
    () => supervisorConfig({ argv: ['--rpc', 'http://127.0.0.1:1', '--admin-port', '0'] }),
    /--admin-port requires --admin-jwt-secret for authentication/,
  )
})

test('passthrough: every check valid without looking; visible in admin, /healthz, metrics and the log', async () => {
  const bogus = { identifier: { ...m.later.identifier, logIndex: 99 }, payloadHash: m.later.payloadHash }
  assert.is((await check(plain, bogus, goDescriptor(902n, m.later.identifier.timestamp + 2n))).error?.code, -320600)
  const passed = await check(open, bogus, goDescriptor(902n, m.later.identifier.timestamp + 2n))
  assert.is(passed.error, undefined)
  assert.is(passed.result, null)
  assert.is((await jsonRpc(open.url, 'admin_getPassthroughEnabled')).result, true)
  const health = (await (await fetch(`${open.url}/healthz`)).json()) as { passthrough?: boolean }
  assert.is(health.passthrough, true)
  const metrics = await (await fetch(`${open.url}/metrics`)).text()
  assert.match(metrics, /superguard_supervisor_passthrough_enabled 1/)
  assert.ok(log.lines.some((l) => l.level === 40 && /PASSTHROUGH ENABLED/.test(l.msg)))
})

test('not yet ingested → -321100 in the filter words (op-reth encoding)', async () => {
  const future = {
    identifier: {
      ...m.later.identifier,
      blockNumber: m.later.identifier.blockNumber + 500n,
      timestamp: m.later.identifier.timestamp + 500n,
    },
    payloadHash: m.later.payloadHash,
  }
  const r = await check(plain, future, rethDescriptor(902n, future.identifier.timestamp + 2n), 'cross-unsafe')
  assert.is(r.error?.code, -321100)
  assert.match(
    r.error!.message,
    new RegExp(`^timestamp ${future.identifier.timestamp} not yet ingested \\(min ingested: \\d+\\): out of scope$`),
  )
})

test('rollup config: a message at the activation block is refused -320600; after it, valid', async () => {
  const at = await check(plain, m.first, rethDescriptor(902n, m.first.identifier.timestamp + 2n))
  assert.equal(at.error, {
    code: -320600,
    message: `conflicting data: initiating message on chain 901 at timestamp ${m.first.identifier.timestamp} is not after the Lagoon activation block`,
  })
  assert.is(answerCode(await check(plain, m.later, rethDescriptor(902n, m.later.identifier.timestamp + 2n))), 0)
})

test('same timestamp: refused by default in the filter words; --allow-same-timestamp accepts an existing log', async () => {
  const ts = m.later.identifier.timestamp
  const refused = await check(plain, m.later, goDescriptor(902n, ts))
  assert.equal(refused.error, {
    code: -320600,
    message: `conflicting data: initiating message timestamp ${ts} not before inclusion timestamp ${ts}`,
  })
  assert.is(answerCode(await check(lenient, m.later, goDescriptor(902n, ts))), 0)
  const bogus = { identifier: { ...m.later.identifier, logIndex: 99 }, payloadHash: m.later.payloadHash }
  assert.is(answerCode(await check(lenient, bogus, goDescriptor(902n, ts))), -320600, 'the log must exist')
})

test('--allow-missing-chain-id: a legacy descriptor without chainID is accepted; refused by default', async () => {
  const legacy = { timestamp: toQuantity(m.later.identifier.timestamp + 2n) }
  const refused = await check(plain, m.later, legacy)
  assert.equal(refused.error, { code: -32602, message: 'invalid executing descriptor: missing chainID' })
  assert.is(answerCode(await check(lenient, m.later, legacy)), 0)
})

test("metrics under op-interop-filter's names", async () => {
  const text = await (await fetch(`${plain.url}/metrics`)).text()
  assert.match(text, /op_interop_filter_default_check_access_list_total\{success="true"\} [1-9]/)
  assert.match(text, /op_interop_filter_default_check_access_list_rejections_total\{reason="expired_message"\} [1-9]/)
  assert.match(text, /op_interop_filter_default_check_access_list_rejections_total\{reason="failsafe"\} [1-9]/)
  assert.match(text, /op_interop_filter_default_failsafe_enabled 0/)
  assert.match(text, /op_interop_filter_default_chain_head\{chain_id="901"\} \d+/)
  assert.match(text, /op_interop_filter_default_tip_lag_blocks\{chain_id="902"\} \d+/)
  assert.match(text, /op_interop_filter_default_backfill_progress\{chain_id="901"\} 1/)
  assert.match(text, /op_interop_filter_default_reorg_detected_total/)
})

test.run()
