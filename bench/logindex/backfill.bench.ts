import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { startIndexer } from '../../src/logindex/index.js'
import { RangePlanner } from '../../src/logindex/rangePlanner.js'
import { toQuantity } from '../../src/util/hex.js'
import { createLogger } from '../../src/util/logger.js'
import { startDenseChain } from '../_fixtures/denseChain.js'
import { ratio, report, since } from '../_harness.js'
import { profiled } from '../_profile.js'

// Backfill from a local anvil: logs indexed per second by startIndexer (from start to `ready`,
// into a fresh SQLite file) against the rate at which the same anvil serves the same eth_getLogs
// ranges to a bare client (fetch keep-alive, JSON parsed, nothing else). Issue target: ratio ≥ 0.85.
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 2_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
/** startIndexer's default largest range; the ingester starts at min(100, maxRange). */
const MAX_RANGE = 1_000

const chain = await startDenseChain({ blocks: BLOCKS })
const CLOCK_TICK_MS = 10 // USER_HZ = 100 on Linux

/** CPU milliseconds so far of this process (all threads) and of anvil (/proc), to read a run on a busy machine. */
function cpuMs(): { node: number; anvil: number } {
  const u = process.cpuUsage()
  const stat = readFileSync(`/proc/${chain.anvil.pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { node: (u.user + u.system) / 1000, anvil: (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS }
}

type Measured = { logs: number; seconds: number; cpu: { node: number; anvil: number } }

/** Runs `fn` and adds the CPU time spent by both processes meanwhile. */
async function measured(fn: () => Promise<{ logs: number; seconds: number }>): Promise<Measured> {
  const before = cpuMs()
  const r = await fn()
  const after = cpuMs()
  return { ...r, cpu: { node: after.node - before.node, anvil: after.anvil - before.anvil } }
}

/** CPU microseconds per log, per process. */
const perLog = (m: Measured) => ({
  node: Number(((m.cpu.node * 1000) / m.logs).toFixed(1)),
  anvil: Number(((m.cpu.anvil * 1000) / m.logs).toFixed(1)),
})
const dir = mkdtempSync(join(tmpdir(), 'sg-bench-backfill-'))
const logger = createLogger('silent')

/**
 * The ranges the indexer asks for: its RangePlanner fed with the logs of each range (the chain is
 * known), from genesis (the whole chain is inside the 7-day window) to the head.
 */
function indexerRanges(): [bigint, bigint][] {
  const planner = new RangePlanner({ initial: Math.min(100, MAX_RANGE), max: MAX_RANGE })
  const out: [bigint, bigint][] = []
  for (let from = 0n; from <= chain.head; ) {
    const to = planner.end(from, chain.head)
    let logs = 0
    for (let n = from; n <= to; n++) logs += chain.logsPerBlock[Number(n)]!
    planner.success(Number(to - from + 1n), logs)
    out.push([from, to])
    from = to + 1n
  }
  return out
}

async function bareGetLogs(ranges: readonly [bigint, bigint][]): Promise<{ logs: number; seconds: number }> {
  const start = performance.now()
  let logs = 0
  for (const [from, to] of ranges) {
    const res = await fetch(chain.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'eth_getLogs',
        params: [{ fromBlock: toQuantity(from), toBlock: toQuantity(to) }],
      }),
    })
    const body = (await res.json()) as { result: unknown[] }
    logs += body.result.length
  }
  return { logs, seconds: since(start) }
}

async function indexerBackfill(round: number): Promise<{ logs: number; seconds: number }> {
  const dbPath = join(dir, `index-${round}.db`)
  const start = performance.now()
  const indexer = await startIndexer({
    chains: [{ url: chain.url }],
    dbPath,
    backfillMs: 7 * 86_400_000,
    pollMs: 1_000,
    logger,
    progress: false,
    maxRange: MAX_RANGE,
  })
  await indexer.ready
  const seconds = since(start)
  await indexer.close()
  const db = new Database(dbPath, { readonly: true })
  const logs = (db.prepare('SELECT count(*) AS n FROM logs').get() as { n: number }).n
  const blocks = (db.prepare('SELECT count(*) AS n FROM blocks').get() as { n: number }).n
  db.close()
  if (logs !== chain.logs || blocks !== Number(chain.head) + 1)
    throw new Error(`index holds ${logs} logs / ${blocks} blocks, the chain ${chain.logs} / ${chain.head + 1n}`)
  return { logs, seconds }
}

try {
  const ranges = indexerRanges()
  await bareGetLogs(ranges.slice(0, 2)) // warm-up: connection, anvil caches
  const rounds = []
  const total = { bareSeconds: 0, indexSeconds: 0 }
  for (let r = 0; r < ROUNDS; r++) {
    const bare = await measured(() => bareGetLogs(ranges))
    if (bare.logs !== chain.logs) throw new Error(`eth_getLogs returned ${bare.logs} logs, the chain has ${chain.logs}`)
    const index = await measured(() => profiled(`backfill-index-${r}`, () => indexerBackfill(r)))
    total.bareSeconds += bare.seconds
    total.indexSeconds += index.seconds
    const bareLogsPerSec = Math.round(bare.logs / bare.seconds)
    const indexLogsPerSec = Math.round(index.logs / index.seconds)
    rounds.push({
      bareLogsPerSec,
      indexLogsPerSec,
      indexBlocksPerSec: Math.round((Number(chain.head) + 1) / index.seconds),
      indexSeconds: Number(index.seconds.toFixed(2)),
      ratio: ratio(indexLogsPerSec, bareLogsPerSec),
      cpuUsPerLog: { bare: perLog(bare), index: perLog(index) },
    })
  }
  // Over all rounds: every round moves the same logs, so these are time-weighted means.
  const bareLogsPerSec = Math.round((chain.logs * ROUNDS) / total.bareSeconds)
  const indexLogsPerSec = Math.round((chain.logs * ROUNDS) / total.indexSeconds)
  report('logindex.backfill', {
    chain: {
      blocks: Number(chain.head) + 1,
      logs: chain.logs,
      txs: chain.txs,
      generationSeconds: Number(chain.seconds.toFixed(1)),
    },
    ranges: { count: ranges.length, blocks: Number(ranges[0]![1] - ranges[0]![0] + 1n) },
    bareLogsPerSec,
    indexLogsPerSec,
    indexBlocksPerSec: Math.round(((Number(chain.head) + 1) * ROUNDS) / total.indexSeconds),
    ratio: ratio(indexLogsPerSec, bareLogsPerSec),
    target: 0.85,
    rounds,
  })
} finally {
  await chain.anvil.stop()
  rmSync(dir, { recursive: true, force: true })
}
