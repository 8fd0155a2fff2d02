import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ConfigError } from '../../src/config/index.js'
import { RpcCode } from '../../src/errors/index.js'
import type { Hex } from '../../src/interop/index.js'
import { AcceptedSet } from '../../src/store/acceptedSet.js'
import { formatTable, SweepCode, type SweepReport, startSweep } from '../../src/sweep/index.js'
import { createLogger } from '../../src/util/logger.js'
import { type IndexFixture, writeIndexFixture } from '../_helpers/writeIndexFixture.js'

// The in-process source (the ingress's accepted set) in index mode, no network: every verdict
// kind, --drop on the set, metrics, the table, and the interval loop.

let dir: string
let fx: IndexFixture
const logger = createLogger('silent')
const DAY = 86_400_000

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sg-sweep-start-'))
  fx = await writeIndexFixture(join(dir, 'index.db'), { logs: 10 })
})
test.after(() => rmSync(dir, { recursive: true, force: true }))

const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex

function fill(set: AcceptedSet): Record<string, Hex> {
  const [lookup] = fx.entries(2)
  const future = { ...fx.access(3), blockNumber: fx.head.number + 10n }
  const futureLookup =
    `0x01000000${future.chainId.toString(16).padStart(16, '0')}${future.blockNumber.toString(16).padStart(16, '0')}${future.timestamp.toString(16).padStart(16, '0')}${future.logIndex.toString(16).padStart(8, '0')}` as Hex
  const now = Date.now()
  const txs: [string, Hex[], number][] = [
    ['valid', fx.entries(0), now],
    ['shared', [...fx.entries(0), ...fx.entries(1)], now],
    ['forged', [lookup!, `0x03${'77'.repeat(31)}`], now],
    ['expired', fx.entries(4), now - 2 * DAY],
    ['malformed', [lookup!], now],
    ['future', [futureLookup, future.checksum], now],
    ['plain', [], now],
  ]
  const names: Record<string, Hex> = {}
  txs.forEach(([name, inboxEntries, firstSeen], i) => {
    names[name] = h(i + 1)
    set.add({ hash: h(i + 1), raw: '0x', inboxEntries, firstSeen })
  })
  return names
}

test('one round over the accepted set: every verdict, --drop deletes the evicted, metrics and table', async () => {
  const set = new AcceptedSet()
  const names = fill(set)
  const registry = new Registry()
  const sweep = await startSweep(
    { source: 'accepted', mode: 'index', index: fx.path, chainId: '902', drop: true, threads: 1 },
    { acceptedSet: set, logger, registry },
  )
  try {
    const r = await sweep.runOnce()
    const by = Object.fromEntries(
      r.transactions.map((t) => [Object.keys(names).find((k) => names[k] === t.hash), [t.action, t.code]]),
    )
    assert.equal(by, {
      valid: ['valid', 0],
      shared: ['valid', 0],
      forged: ['evict', RpcCode.ConflictingData],
      expired: ['evict', SweepCode.Expired],
      malformed: ['evict', SweepCode.Parse],
      future: ['keep', RpcCode.OutOfScope],
    })
    assert.equal(r.pool, { total: 7, interop: 6, skipped: 0 })
    assert.equal(
      r.accesses,
      { declared: 5, unique: 4, chunks: 1 },
      'the expired tx is not checked; entries(0) is checked once for two txs',
    )
    assert.equal(r.counts, { valid: 2, evict: 3, keep: 1, expired: 1, parseErrors: 1 })
    assert.equal(r.byCode, {
      'evict:ConflictingData': 1,
      'evict:Expired': 1,
      'evict:ParseError': 1,
      'keep:OutOfScope': 1,
    })
    assert.is(r.actions.dropped, 3)
    assert.equal(
      set
        .snapshot()
        .map((t) => t.hash)
        .sort(),
      [names.valid, names.shared, names.future, names.plain].sort(),
    )
    assert.is(r.descriptor.timeout, 86_400)
    assert.ok(
      r.transactions.find((t) => t.hash === names.malformed)!.reason!.startsWith('failed to read data: expected entry'),
    )

    const text = await registry.metrics()
    assert.match(text, /superguard_sweep_transactions_total\{verdict="evict"\} 3/)
    assert.match(text, /superguard_sweep_verdict_codes_total\{verdict="keep",code="OutOfScope"\} 1/)
    assert.match(text, /superguard_sweep_event_loop_delay_seconds\{quantile="0.99"\}/)

    const table = formatTable(r)
    assert.match(
      table,
      new RegExp(`${names.forged}\\s+evict\\s+ConflictingData \\(-320600\\)\\s+conflicting data: checksum mismatch`),
    )
    assert.match(
      table,
      /6 interop transactions of 7 in the pool \(accepted, index mode, chain 902\): 2 valid, 3 evict \(1 expired, 1 unparseable\), 1 keep/,
    )
  } finally {
    await sweep.close()
  }
})

test('the interval loop reports round after round until closed', async () => {
  const set = new AcceptedSet()
  fill(set)
  const reports: SweepReport[] = []
  let wake: (() => void) | undefined
  const sweep = await startSweep(
    { source: 'accepted', mode: 'index', index: fx.path, chainId: 902n, intervalMs: 20, threads: 1 },
    {
      acceptedSet: set,
      logger,
      onReport: (r) => {
        reports.push(r)
        wake?.()
      },
    },
  )
  while (reports.length < 3)
    await new Promise<void>((r) => {
      wake = r
    })
  await sweep.close()
  assert.equal(
    reports.slice(0, 3).map((r) => r.round),
    [1, 2, 3],
  )
  assert.ok(
    reports.every((r) => r.counts.keep === 1 && r.counts.evict === 3),
    'without --drop every round sees the same pool',
  )
})

test('configuration problems are reported together', async () => {
  try {
    await startSweep({ source: 'accepted', mode: 'index' }, { logger })
    assert.unreachable('should throw')
  } catch (err) {
    assert.instance(err, ConfigError)
    assert.equal((err as ConfigError).problems.length, 3)
  }
})

test.run()
