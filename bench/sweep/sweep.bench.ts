import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import type { Hex } from '../../src/interop/index.js'
import { RpcClient } from '../../src/rpc/client.js'
import { AcceptedSet } from '../../src/store/acceptedSet.js'
import { DEFAULT_CHUNK_SIZE, type SweepConfig, type SweepReport, startSweep } from '../../src/sweep/index.js'
import { roundDescriptor } from '../../src/sweep/roundDescriptor.js'
import { toQuantity } from '../../src/util/hex.js'
import { createLogger } from '../../src/util/logger.js'
import { writeIndexFixture } from '../../test/_helpers/writeIndexFixture.js'
import { ratio, report } from '../_harness.js'

/**
 * Sweep of a 100k-transaction mempool, end to end (collect → plan → checks on the pool →
 * classify → report), against a generated log index of 100k initiating logs (one per
 * transaction: no de-duplication helps, the worst case), every transaction declaring one access
 * (2 entries). Modes: index (read-only SQLite in the workers) and supervisor (one JSON-RPC batch
 * per chunk to a supervisor over the same index, on its own thread of this process), each over a
 * chunk-size × threads grid; then the baseline of one checkAccessList request per transaction
 * against the same supervisor, timed on a sample and extrapolated. Main-thread event-loop delay
 * is measured during every round.
 *   node dist/bench/sweep/sweep.bench.js [txs=100000] [sample=5000] [grid=full|best]
 * `best` skips the grid and runs the recorded defaults only (DEFAULT_CHUNK_SIZE, all threads).
 */
const N = Number(process.argv[2] ?? 100_000)
const SAMPLE = Math.min(N, Number(process.argv[3] ?? 5_000))
const FULL_GRID = (process.argv[4] ?? 'full') === 'full'
const ROUNDS = 3
const logger = createLogger('silent')

const dir = mkdtempSync(join(tmpdir(), 'sg-sweep-bench-'))
const t0 = performance.now()
const fx = await writeIndexFixture(join(dir, 'index.db'), { logs: N, logsPerBlock: 100 })
const txs = Array.from({ length: N }, (_, i) => ({
  hash: `0x${(i + 1).toString(16).padStart(64, '0')}` as Hex,
  inboxEntries: fx.entries(i),
}))
const set = new AcceptedSet(N)
const firstSeen = Date.now()
for (const t of txs) set.add({ hash: t.hash, raw: '0x', inboxEntries: t.inboxEntries, firstSeen })
const fixtureSeconds = (performance.now() - t0) / 1000

// The supervisor keeps its default limits (128 KiB body, 1000 calls a batch): chunks must fit them.
const supThread = new Worker(new URL('./supervisorThread.js', import.meta.url), { workerData: { path: fx.path } })
const [{ url: supervisorUrl }] = (await once(supThread, 'message')) as [{ url: string }]

type Cell = {
  mode: string
  chunkSize: number
  threads: number
  roundMs: number
  checkMs: number
  p99Ms: number
  maxMs: number
  p99Ms10: number
  valid: number
  /** The median round's time by phase (the report's durationsMs: collect, plan, check, classify, …). */
  phasesMs: SweepReport['durationsMs']
}

/** Rounds of one configuration after a warm-up round (workers started, database and sockets open); the median round. */
async function measure(config: SweepConfig, source: 'accepted' | 'txpool' = 'accepted'): Promise<Cell> {
  const base: SweepConfig = { source, chainId: fx.execChain, logLevel: 'silent', roundTimeoutMs: 60_000 }
  const sweep = await startSweep({ ...base, ...config }, { acceptedSet: set, logger })
  // A second monitor at Node's default 10 ms resolution (prom-client's too), next to the report's
  // 1 ms one; its values include the 10 ms sampling interval.
  const coarse = monitorEventLoopDelay({ resolution: 10 })
  try {
    await sweep.runOnce()
    const runs: { r: SweepReport; p99Ms10: number }[] = []
    for (let i = 0; i < ROUNDS; i++) {
      coarse.reset()
      coarse.enable()
      const r = await sweep.runOnce()
      coarse.disable()
      runs.push({ r, p99Ms10: coarse.percentile(99) / 1e6 })
    }
    runs.sort((x, y) => x.r.durationsMs.total - y.r.durationsMs.total)
    const { r, p99Ms10 } = runs[Math.floor(ROUNDS / 2)]!
    if (r.counts.valid !== N)
      throw new Error(`${config.mode}: ${r.counts.valid} of ${N} valid: ${JSON.stringify(r.byCode)}`)
    return {
      mode: `${config.mode}${source === 'txpool' ? '+txpool' : ''}`,
      chunkSize: config.chunkSize!,
      threads: config.threads!,
      roundMs: r.durationsMs.total,
      checkMs: r.durationsMs.check,
      p99Ms: r.eventLoop.p99Ms,
      maxMs: Math.max(...runs.map((x) => x.r.eventLoop.maxMs)),
      p99Ms10: Math.round(p99Ms10 * 10) / 10,
      valid: r.counts.valid,
      phasesMs: r.durationsMs,
    }
  } finally {
    await sweep.close()
  }
}

const grid: Cell[] = []
const threadsGrid = FULL_GRID ? [1, availableParallelism()] : [availableParallelism()]
for (const threads of [...new Set(threadsGrid)]) {
  for (const chunkSize of FULL_GRID ? [1024, 4096, 16384] : [DEFAULT_CHUNK_SIZE.index])
    grid.push(await measure({ mode: 'index', index: fx.path, chunkSize, threads }))
  for (const chunkSize of FULL_GRID ? [256, 512, 768] : [DEFAULT_CHUNK_SIZE.supervisor])
    grid.push(await measure({ mode: 'supervisor', supervisor: supervisorUrl, chunkSize, threads }))
  // One access per call (the largest chunk that fits 128 KiB that way), to show what grouping saves.
  if (FULL_GRID)
    grid.push({
      ...(await measure({
        mode: 'supervisor',
        supervisor: supervisorUrl,
        chunkSize: 384,
        threads,
        accessesPerCall: 1,
      })),
      mode: 'supervisor/1-per-call',
    })
}
const best = (mode: string) => grid.filter((c) => c.mode === mode).sort((a, b) => a.roundMs - b.roundMs)[0]!
const index = best('index')
const supervisor = best('supervisor')

// The same sweep reading a real txpool_content answer (geth's JSON shape) instead of the accepted set.
// Not above 200k transactions: one txpool_content answer is ~1.3 KB a transaction, and 1M of them
// (1.3 GB of JSON) is over V8's largest string.
const TXPOOL = N <= 200_000
let viaTxpool: Cell | undefined
let txpoolBytes = 0
if (TXPOOL) {
  const poolThread = new Worker(new URL('./txpoolThread.js', import.meta.url), {
    workerData: { txs: txs.map((t, i) => ({ ...t, from: `0x${(i + 1).toString(16).padStart(40, '0')}` })) },
  })
  const [started] = (await once(poolThread, 'message')) as [{ url: string; bytes: number }]
  txpoolBytes = started.bytes
  viaTxpool = await measure(
    { mode: 'index', index: fx.path, chunkSize: index.chunkSize, threads: index.threads, rpc: started.url },
    'txpool',
  )
  poolThread.postMessage('close')
}

// Baseline: one supervisor_checkAccessList request per transaction, on a sample, extrapolated to N.
const client = new RpcClient(supervisorUrl, { timeoutMs: 10_000 })
const d = roundDescriptor(Date.now(), fx.execChain, 86_400_000)
const desc = { chainID: d.chainId.toString(), timestamp: toQuantity(d.timestamp), timeout: toQuantity(d.timeout) }
const one = (i: number) => client.call('supervisor_checkAccessList', [txs[i]!.inboxEntries, 'cross-unsafe', desc])
for (let i = 0; i < 200; i++) await one(i) // warm the connection and the supervisor
let t = performance.now()
for (let i = 0; i < SAMPLE; i++) await one(i)
const sequentialMs = ((performance.now() - t) * N) / SAMPLE
// With 10 requests in flight, as op-reth bounds its supervisor queries (MAX_SUPERVISOR_QUERIES).
t = performance.now()
let next = 0
await Promise.all(
  Array.from({ length: 10 }, async () => {
    while (next < SAMPLE) await one(next++)
  }),
)
const concurrentMs = ((performance.now() - t) * N) / SAMPLE
client.close()
supThread.postMessage('close')
await once(supThread, 'exit')
rmSync(dir, { recursive: true, force: true })

// The protocol choice, measured: one chunk's accesses as an array of hex strings (structured
// clone: serialised here, deserialised on the worker) against the packed 96-byte records moved as
// a transferable ArrayBuffer. structuredClone does both halves on this thread.
const protocol = (() => {
  const n = DEFAULT_CHUNK_SIZE.index
  const strings = txs.slice(0, n).map((t) => t.inboxEntries)
  const reps = 20
  let t1 = performance.now()
  for (let i = 0; i < reps; i++) structuredClone(strings)
  const cloneStringsMs = (performance.now() - t1) / reps
  t1 = performance.now()
  for (let i = 0; i < reps; i++) {
    const packed = new ArrayBuffer(n * 96)
    structuredClone(packed, { transfer: [packed] })
  }
  const transferPackedMs = (performance.now() - t1) / reps
  return {
    accesses: n,
    cloneStringsMs: Math.round(cloneStringsMs * 100) / 100,
    transferPackedMs: Math.round(transferPackedMs * 100) / 100,
  }
})()

const round = (x: number) => Math.round(x)
report('sweep', {
  txs: N,
  // Other work on the machine while this ran (1-, 5-, 15-minute load averages; 2 cores here).
  loadAverage: loadavg().map((x) => Math.round(x * 10) / 10),
  accessesPerTx: 1,
  entriesPerTx: 2,
  fixtureSeconds: Math.round(fixtureSeconds * 10) / 10,
  indexMs: index.roundMs,
  indexBest: { chunkSize: index.chunkSize, threads: index.threads },
  indexEventLoopP99Ms: index.p99Ms,
  indexEventLoopMaxMs: index.maxMs,
  supervisorMs: supervisor.roundMs,
  supervisorBest: { chunkSize: supervisor.chunkSize, threads: supervisor.threads },
  supervisorEventLoopP99Ms: supervisor.p99Ms,
  txpoolSourceIndexMs: viaTxpool?.roundMs ?? null,
  txpoolSourceEventLoopP99Ms: viaTxpool?.p99Ms ?? null,
  txpoolContentMB: Math.round(txpoolBytes / 1e5) / 10,
  perTxSequentialMs: round(sequentialMs),
  perTxConcurrent10Ms: round(concurrentMs),
  perTxSampled: SAMPLE,
  speedupIndexVsPerTx: ratio(concurrentMs, index.roundMs),
  speedupSupervisorVsPerTx: ratio(concurrentMs, supervisor.roundMs),
  speedupSupervisorVsPerTxSequential: ratio(sequentialMs, supervisor.roundMs),
  underBlockTime2s: index.roundMs < 2000 && supervisor.roundMs < 2000,
  protocol,
  grid,
})
