import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { Hex } from '../../src/interop/index.js'
import { type SweepConfig, type SweepReport, startSweep } from '../../src/sweep/index.js'
import { createLogger } from '../../src/util/logger.js'
import { writeIndexFixture } from '../../test/_helpers/writeIndexFixture.js'
import { ratio, report } from '../_harness.js'

/**
 * `--source txpool` end to end over rounds: an execution client's pool of 100k interop
 * transactions (txpoolChurnThread.ts, geth's JSON shapes, filters and batches, on its own thread),
 * every transaction one access (2 entries) to a different log of a generated index (index mode,
 * the worst case: no de-duplication). Between two rounds the pool moves on: `churn` new
 * transactions arrive (to logs no other transaction reads) and the `churn` oldest leave in a block.
 * Two sweeps in the same run, each a cold round then `rounds` steady ones:
 *  - full: --txpool-read full, no cache (every round reads txpool_content and checks everything:
 *    the sweep as it was);
 *  - incremental + cache: --txpool-read auto --verdict-ttl 1h (the filters' changes, the new
 *    transactions by hash, only the new ones checked; the source-chain watch on).
 * Each round's phases come from its own report (durationsMs, eventLoop: the main thread's delay
 * sampled every 1 ms while the round ran).
 *   node dist/bench/sweep/txpoolRounds.bench.js [txs=100000] [churn=1000] [rounds=5]
 */
const N = Number(process.argv[2] ?? 100_000)
const CHURN = Number(process.argv[3] ?? 1_000)
const ROUNDS = Number(process.argv[4] ?? 5)
const logger = createLogger('silent')

const dir = mkdtempSync(join(tmpdir(), 'sg-sweep-txpool-bench-'))
const extraCount = CHURN * (ROUNDS + 1) * 2
const fx = await writeIndexFixture(join(dir, 'index.db'), { logs: N + extraCount, logsPerBlock: 100 })
const txOf = (i: number) => ({
  hash: `0x${(i + 1).toString(16).padStart(64, '0')}` as Hex,
  from: `0x${(i + 1).toString(16).padStart(40, '0')}`,
  inboxEntries: fx.entries(i),
})
const server = new Worker(new URL('./txpoolChurnThread.js', import.meta.url), {
  workerData: {
    txs: Array.from({ length: N }, (_, i) => txOf(i)),
    extra: Array.from({ length: extraCount }, (_, i) => txOf(N + i)),
  },
})
const [{ url, bytes }] = (await once(server, 'message')) as [{ url: string; bytes: number }]

async function advance(): Promise<void> {
  server.postMessage({ add: CHURN, include: CHURN })
  await once(server, 'message')
}

type Round = {
  totalMs: number
  durationsMs: SweepReport['durationsMs']
  eventLoopP99Ms: number
  eventLoopMaxMs: number
  read: string
  checked: number
  hits: number
  valid: number
}

async function rounds(config: SweepConfig): Promise<{ cold: Round; steady: Round[] }> {
  const sweep = await startSweep(
    {
      source: 'txpool',
      rpc: url,
      mode: 'index',
      index: fx.path,
      chainId: fx.execChain,
      threads: availableParallelism(),
      logLevel: 'silent',
      roundTimeoutMs: 600_000,
      // 126 MB of txpool_content takes seconds on a loaded 2-core box: the default 5 s (and a 60 s round bound, at load average 30) failed the cold round.
      requestTimeoutMs: 300_000,
      ...config,
    },
    { logger },
  )
  const one = async (): Promise<Round> => {
    const r = await sweep.runOnce()
    process.stderr.write(
      `${config.txpoolRead} round ${r.round}: ${JSON.stringify(r.durationsMs)} p99 ${r.eventLoop.p99Ms}\n`,
    )
    if (r.counts.valid !== r.pool.interop || r.pool.interop !== N)
      throw new Error(`${r.counts.valid} of ${r.pool.interop} (expected ${N}) valid: ${JSON.stringify(r.byCode)}`)
    return {
      totalMs: r.durationsMs.total,
      durationsMs: r.durationsMs,
      eventLoopP99Ms: r.eventLoop.p99Ms,
      eventLoopMaxMs: r.eventLoop.maxMs,
      read: r.read ? `${r.read.how}${r.read.why ? `:${r.read.why}` : ''} +${r.read.added} -${r.read.removed}` : '',
      checked: r.cache ? r.cache.misses : r.pool.interop,
      hits: r.cache?.hits ?? 0,
      valid: r.counts.valid,
    }
  }
  try {
    const cold = await one()
    const steady: Round[] = []
    for (let i = 0; i < ROUNDS; i++) {
      await advance()
      steady.push(await one())
    }
    return { cold, steady }
  } finally {
    await sweep.close()
  }
}

const median = (rs: Round[]) => [...rs].sort((a, b) => a.totalMs - b.totalMs)[Math.floor(rs.length / 2)]!
const load0 = loadavg()[0]
const full = await rounds({ txpoolRead: 'full' })
const cached = await rounds({ txpoolRead: 'auto', verdictTtlMs: '1h' })
server.postMessage('close')
rmSync(dir, { recursive: true, force: true })

const fullSteady = median(full.steady)
const cachedSteady = median(cached.steady)
report('sweep-txpool-rounds', {
  txs: N,
  churnPerRound: CHURN,
  steadyRounds: ROUNDS,
  txpoolContentMB: Math.round(bytes / 1e5) / 10,
  threads: availableParallelism(),
  loadAverage: [load0 ?? 0, loadavg()[0] ?? 0].map((x) => Math.round(x * 10) / 10),
  full: { cold: full.cold, steadyMedian: fullSteady, steady: full.steady.map((r) => r.totalMs) },
  cached: { cold: cached.cold, steadyMedian: cachedSteady, steady: cached.steady.map((r) => r.totalMs) },
  steadyCachedOverFull: ratio(cachedSteady.totalMs, fullSteady.totalMs),
  coldCachedOverFull: ratio(cached.cold.totalMs, full.cold.totalMs),
  steadyUnder2s: cached.steady.every((r) => r.totalMs < 2000),
})
