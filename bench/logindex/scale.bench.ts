import { randomFillSync } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { checkAccesses, createIndexBackend } from '../../src/check/index.js'
import type { BlockRef } from '../../src/check/types.js'
import type { Access } from '../../src/interop/index.js'
import type { IndexedBlock, IndexedLog } from '../../src/logindex/indexedBlock.js'
import { IndexLogReader } from '../../src/logindex/logReader.js'
import { LogStore } from '../../src/logindex/logStore.js'
import { openIndex } from '../../src/logindex/openIndex.js'
import { PRAGMA } from '../../src/logindex/statements.js'
import { bytesToHex } from '../../src/util/hex.js'
import { createLogger } from '../../src/util/logger.js'
import { seededRandom } from '../_fixtures/random.js'
import { ratio, report, since } from '../_harness.js'

/**
 * The log index at scale. Per size, a fresh index of N logs over a 7-day window of 2 s blocks on
 * CHAINS chains (so a size is a log rate: 1M ≈ 0.8 logs/s per chain, 10M ≈ 8, 100M ≈ 83), written
 * straight through LogStore.appendBlocks (the indexer's own write path: rows, heads and
 * transactions exactly as a backfill commits them; checksums are random bytes, which a look-up
 * cannot tell from keccak). Then, per size: the write (backfill) rate near the end, disk bytes per
 * log after a checkpoint (file + WAL, every table and index), start-up (openIndex: quick_check and
 * migration, then the writer's heads and a reader), single checks (checkAccesses, one access per
 * call) and batched checks (100 per read snapshot) of random stored logs, raw primary-key look-ups,
 * RSS, and pruning one day of logs. Sizes are built first and then measured in alternation; ratios
 * compare against the smallest size of the same run.
 *
 *   node dist/bench/logindex/scale.bench.js [--sizes 1e6,1e7] [--100m] [--build-s 600] [--slice-s 0.25] [--rounds 15]
 *
 * Building is time-bounded (--build-s per size): a size cut short is reported with the logs it got.
 * 100M logs (~6 GB, ~15+ min on 2 cores) only with --100m.
 */
const args = process.argv.slice(2)
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1]! : dflt
}
const sizes = opt('--sizes', '1e6,1e7').split(',').map(Number)
if (args.includes('--100m')) sizes.push(1e8)
const buildBudgetS = Number(opt('--build-s', '600'))
const checkS = Number(opt('--slice-s', '0.25'))
const rounds = Number(opt('--rounds', '15'))
const CHAINS = [901n, 902n]
const WINDOW_S = 7 * 86_400
const BLOCK_S = 2
const BLOCKS_PER_CHAIN = WINDOW_S / BLOCK_S
const BLOCKS_PER_COMMIT = 100
const SAMPLE = 200_000
const logger = createLogger('silent')
/** [label, mmap_size, cache_size]: the ratios are to the first. */
const VARIANTS: [string, number, number][] = [
  ['mmap256M+cache32M', 268_435_456, -32_768],
  ['no mmap, cache 2M (SQLite default)', 0, -2_000],
  ['no mmap, cache 32M', 0, -32_768],
  ['mmap 16G (whole file) + cache 32M', 17_179_869_184, -32_768],
  ['mmap 16G + cache 2M', 17_179_869_184, -2_000],
  ['no mmap, cache 256M', 0, -262_144],
]

type Built = {
  target: number
  logs: number
  cut: boolean
  mean: number
  dir: string
  path: string
  sample: Access[]
  first: bigint
  head: bigint
  buildS: number
  tail: { logs: number; s: number }
  fileBytes: number
  tables: Record<string, number> | null
}

/** Writes a fresh index of `target` logs through LogStore, time-bounded; returns where and what it holds. */
function build(target: number): Built {
  const dir = mkdtempSync(join(tmpdir(), 'sg-scale-'))
  const path = join(dir, 'index.db')
  const db = openIndex(path, { logger })
  const store = new LogStore(db)
  const rand = seededRandom(target)
  const mean = target / (CHAINS.length * BLOCKS_PER_CHAIN)
  const head = BigInt(Math.floor(Date.now() / 1000)) - 10n
  const first = head - BigInt(WINDOW_S) + 3600n // an hour inside the window: every log checks valid
  const sample: Access[] = []
  let logs = 0
  let seen = 0
  const started = performance.now()
  const deadline = started + buildBudgetS * 1000
  let tail = { logs: 0, s: 0 }
  // Random bytes in bulk (randomFillSync per log would cost more than the insert).
  const pool = Buffer.alloc(32 * 65_536)
  let poolAt = pool.length
  const next32 = () => {
    if (poolAt === pool.length) {
      randomFillSync(pool)
      poolAt = 0
    }
    poolAt += 32
    return pool.subarray(poolAt - 32, poolAt)
  }
  let cut = false
  const perChain = Math.ceil(target / CHAINS.length)
  for (const chainId of CHAINS) {
    const key = store.registerChain(chainId).key
    let parentHash = bytesToHex(Buffer.from(next32()))
    let chainLogs = 0
    let batch: IndexedBlock[] = []
    for (let i = 0; i < BLOCKS_PER_CHAIN && chainLogs < perChain && !cut; i++) {
      const number = 1_000_000n + BigInt(i)
      const timestamp = first + BigInt(Math.floor((i * (WINDOW_S - 3600)) / BLOCKS_PER_CHAIN))
      // uniform in [0, 2·mean], rounded at random: the mean holds below one log a block too
      const n = Math.min(perChain - chainLogs, Math.floor(2 * mean * rand() + rand()))
      const blockLogs: IndexedLog[] = []
      for (let logIndex = 0; logIndex < n; logIndex++) {
        const checksum = Buffer.from(next32())
        checksum[0] = 3
        blockLogs.push({ logIndex, checksum })
        // Reservoir sample of what checks will ask for.
        const a = { chainId, blockNumber: number, timestamp, logIndex, checksum }
        if (sample.length < SAMPLE) sample.push(a as unknown as Access)
        else {
          const j = Math.floor(rand() * (seen + 1))
          if (j < SAMPLE) sample[j] = a as unknown as Access
        }
        seen++
      }
      chainLogs += n
      const hash = bytesToHex(Buffer.from(next32()))
      batch.push({ ref: { number, hash, parentHash, timestamp }, logs: blockLogs, execMsgs: [] })
      parentHash = hash
      if (batch.length === BLOCKS_PER_COMMIT) {
        const t = performance.now()
        store.appendBlocks(key, batch)
        const nLogs = batch.reduce((s, b) => s + b.logs.length, 0)
        logs += nLogs
        // The last tenth of the build: the write rate at (close to) this size.
        if (logs >= target * 0.9) tail = { logs: tail.logs + nLogs, s: tail.s + (performance.now() - t) / 1000 }
        batch = []
        if (performance.now() > deadline) cut = true
      }
    }
    if (batch.length > 0) {
      store.appendBlocks(key, batch)
      logs += batch.reduce((s, b) => s + b.logs.length, 0)
    }
    const tip = store.head(key, 'unsafe')!
    store.transaction(() => {
      for (const level of ['cross-unsafe', 'safe', 'finalized'] as const) store.setHead(key, level, tip)
    })
    store.setReady(key)
  }
  const buildS = since(started)
  for (const a of sample) a.checksum = bytesToHex(a.checksum as unknown as Buffer)
  db.pragma('wal_checkpoint(TRUNCATE)')
  const fileBytes = statSync(path).size + walBytes(path)
  const tables = tableBytes(db)
  db.close()
  return { target, logs, cut, mean, dir, path, sample, first, head, buildS, tail, fileBytes, tables }
}

type Opened = {
  b: Built
  db: Database.Database
  store: LogStore
  reader: IndexLogReader
  one(a: Access): void
  raw(a: Access): void
  startupMs: number
  /** The same start with `--startup-check auto` above 1 GiB: quick_check deferred to a worker. */
  startupDeferredMs: number
  rssDeltaMB: number
  /** The mmap_size openDb chose for this file. */
  mmap: number
}

/** Start-up as the supervisor does it: open (quick_check, migrate), heads into memory, a reader. */
function open(b: Built): Opened {
  // First without the quick_check (what --startup-check auto does above 1 GiB), then with it.
  const d0 = performance.now()
  const deferred = openIndex(b.path, { logger, quickCheck: false })
  const deferredStore = new LogStore(deferred)
  for (const c of CHAINS) deferredStore.head(deferredStore.registerChain(c).key, 'unsafe')
  new IndexLogReader(deferred, { chains: CHAINS, state: deferredStore })
  const startupDeferredMs = Math.round(performance.now() - d0)
  deferred.close()
  const rss0 = process.memoryUsage().rss
  const t0 = performance.now()
  const db = openIndex(b.path, { logger })
  const store = new LogStore(db)
  const heads = new Map<bigint, BlockRef>()
  for (const c of CHAINS) heads.set(c, store.head(store.registerChain(c).key, 'unsafe')!)
  const reader = new IndexLogReader(db, { chains: CHAINS, state: store })
  const startupMs = Math.round(performance.now() - t0)
  const backend = createIndexBackend(reader, {
    status: () =>
      CHAINS.map((chainId) => ({
        chainId,
        ready: true,
        indexed: heads.get(chainId),
        remoteHead: heads.get(chainId)!.number,
        lastPollAt: Date.now(),
      })),
  })
  const descriptor = { chainId: 902n, timestamp: b.head + 2n, timeout: 0n }
  const find = db.prepare('SELECT checksum, timestamp FROM logs WHERE chain = ? AND block_number = ? AND log_index = ?')
  const o: Opened = {
    b,
    db,
    store,
    reader,
    startupMs,
    startupDeferredMs,
    rssDeltaMB: 0,
    mmap: Number(db.pragma('mmap_size', { simple: true })),
    one(a) {
      const r = checkAccesses(backend, [a], 'cross-unsafe', descriptor)
      if (r instanceof Promise || !r.ok) throw new Error(`check failed: ${JSON.stringify(r)}`)
    },
    raw(a) {
      if (!find.get(CHAINS.indexOf(a.chainId) + 1, a.blockNumber, a.logIndex)) throw new Error('raw look-up missed')
    },
  }
  // Warm-up (JIT, and the pages the sample touches), not timed.
  timed(1, () => loop(o, o.one, 1000))
  o.rssDeltaMB = Math.round((process.memoryUsage().rss - rss0) / 1e6)
  return o
}

const rng = seededRandom(99)
function loop(o: Opened, fn: (a: Access) => void, n: number): number {
  const s = o.b.sample
  for (let i = 0; i < n; i++) fn(s[Math.floor(rng() * s.length)]!)
  return n
}
function timed(seconds: number, fn: () => number): number {
  const s = performance.now()
  let n = 0
  while (performance.now() - s < seconds * 1000) n += fn()
  return Math.round(n / since(s))
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

function walBytes(path: string): number {
  try {
    return statSync(`${path}-wal`).size
  } catch {
    return 0
  }
}

/** Bytes per table and index (dbstat), when SQLite was built with it. */
function tableBytes(db: Database.Database): Record<string, number> | null {
  try {
    const rows = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY 2 DESC').all() as {
      name: string
      bytes: number | bigint
    }[]
    return Object.fromEntries(rows.filter((r) => Number(r.bytes) > 4096).map((r) => [r.name, Number(r.bytes)]))
  } catch {
    return null
  }
}

// Build every size first, then measure them in alternation (round r: every size in turn), so a
// change in the machine's load hits every size alike: the ratios are what this bench is for.
const built: Built[] = []
try {
  for (const n of sizes) {
    built.push(build(n))
    console.error(`built ${n} logs in ${Math.round(built.at(-1)!.buildS)} s`)
  }
  const opened = built.map(open)
  // Short slices in alternation (every size, every metric, every pragma variant in turn, `rounds`
  // times): on 2 shared cores the load swings within seconds, so each ratio is a median of per-round
  // ratios of neighbouring slices, not a ratio of two medians taken at different moments.
  const single = opened.map(() => [] as number[])
  const batched = opened.map(() => [] as number[])
  const raw = opened.map(() => [] as number[])
  const byPragma = opened.map(() => VARIANTS.map(() => [] as number[]))
  for (let r = 0; r < rounds; r++) {
    opened.forEach((o, i) => {
      single[i]!.push(timed(checkS, () => loop(o, o.one, 200)))
      batched[i]!.push(timed(checkS, () => o.reader.snapshot(() => loop(o, o.one, 100))))
      raw[i]!.push(timed(checkS, () => loop(o, o.raw, 200)))
    })
    // The pragmas by measurement, on the same files: raw look-ups/s per page cache and mmap setting.
    VARIANTS.forEach(([, mmap, cache], v) => {
      opened.forEach((o, i) => {
        o.db.pragma(`mmap_size = ${mmap}`)
        o.db.pragma(`cache_size = ${cache}`)
        // untimed first: a new mmap_size remaps the file, whose pages then fault in again
        timed(checkS, () => loop(o, o.raw, 200))
        byPragma[i]![v]!.push(timed(checkS, () => loop(o, o.raw, 200)))
      })
    })
    for (const o of opened) {
      o.db.pragma(`mmap_size = ${o.mmap}`)
      o.db.pragma(PRAGMA.cacheSize)
    }
  }
  /** Median over rounds of xs[r] / base[r]. */
  const pairRatio = (xs: number[], base: number[]) => ratio(median(xs.map((x, r) => x / base[r]!)), 1)
  const results = opened.map((o, i) => {
    const b = o.b
    // Pruning the oldest day, per chain, as the Pruner does: bounded steps (LogStore.prune), each
    // one transaction; the longest step is how long the thread that answers checks is held.
    const p0 = performance.now()
    let pruneSteps = 0
    let pruneStepMaxMs = 0
    for (const c of CHAINS)
      for (let done = false; !done; ) {
        const t = performance.now()
        const out = o.store.prune(CHAINS.indexOf(c) + 1, b.first + 86_400n)
        pruneStepMaxMs = Math.max(pruneStepMaxMs, performance.now() - t)
        pruneSteps++
        done = out?.done ?? true
      }
    const pruneDayS = since(p0)
    o.db.close()
    return {
      logs: b.logs,
      target: b.target,
      cut: b.cut,
      logsPerBlock: Math.round(b.mean * 100) / 100,
      buildS: Math.round(b.buildS),
      backfillLogsPerS: Math.round(b.logs / b.buildS),
      backfillTailLogsPerS: b.tail.s > 0 ? Math.round(b.tail.logs / b.tail.s) : null,
      bytesPerLog: Math.round((b.fileBytes / b.logs) * 10) / 10,
      logsTableBytesPerLog: b.tables?.logs ? Math.round((b.tables.logs / b.logs) * 10) / 10 : null,
      fileMB: Math.round(b.fileBytes / 1e6),
      tables: b.tables,
      pruneSteps,
      pruneStepMaxMs: Math.round(pruneStepMaxMs),
      startupMs: o.startupMs,
      startupDeferredMs: o.startupDeferredMs,
      mmapBytes: o.mmap,
      singlePerS: median(single[i]!),
      batchedPerS: median(batched[i]!),
      rawPerS: median(raw[i]!),
      rssDeltaMB: o.rssDeltaMB,
      // each setting ÷ the index's own (first), per round, median
      rawByPragmaRatio: Object.fromEntries(
        VARIANTS.map(([label], v) => [label, pairRatio(byPragma[i]![v]!, byPragma[i]![0]!)]),
      ),
      rawByPragmaPerS: Object.fromEntries(VARIANTS.map(([label], v) => [label, median(byPragma[i]![v]!)])),
      pruneDayS: Math.round(pruneDayS * 100) / 100,
    }
  })
  report('logindex.scale', {
    sizes: results,
    // largest size ÷ smallest, per round of neighbouring slices, median (goal ≥ 0.8 for single checks)
    checkRatioLargestToSmallest: pairRatio(single.at(-1)!, single[0]!),
    batchedRatioLargestToSmallest: pairRatio(batched.at(-1)!, batched[0]!),
    rawRatioLargestToSmallest: pairRatio(raw.at(-1)!, raw[0]!),
    rounds,
    sliceS: checkS,
    chains: CHAINS.length,
    windowDays: 7,
    rssMB: Math.round(process.memoryUsage().rss / 1e6),
    loadAvg1m: loadavg()[0],
  })
} finally {
  for (const b of built) rmSync(b.dir, { recursive: true, force: true })
}
