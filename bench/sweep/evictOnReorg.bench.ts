import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hex } from '../../src/interop/index.js'
import { AcceptedSet } from '../../src/store/acceptedSet.js'
import { type SweepConfig, startSweep } from '../../src/sweep/index.js'
import { createLogger } from '../../src/util/logger.js'
import { writeIndexFixture } from '../../test/_helpers/writeIndexFixture.js'
import { ratio, report } from '../_harness.js'

/**
 * What --evict-on-reorg costs a quiet round: the same index-mode sweep of an N-transaction
 * accepted set (one access each, 100 logs a block, so N/100 distinct source blocks) with and
 * without the option, in one run. With it, each round parses every transaction's lookups on the
 * main thread and re-reads the highest remembered block of each source chain (one look-up); the
 * first round also reads every referenced block once (not counted: the warm-up round).
 *   node dist/bench/sweep/evictOnReorg.bench.js [txs=100000]
 */
const N = Number(process.argv[2] ?? 100_000)
const ROUNDS = 5
const logger = createLogger('silent')
const dir = mkdtempSync(join(tmpdir(), 'sg-sweep-reorg-bench-'))
const fx = await writeIndexFixture(join(dir, 'index.db'), { logs: N, logsPerBlock: 100 })
const set = new AcceptedSet(N)
const firstSeen = Date.now()
for (let i = 0; i < N; i++)
  set.add({
    hash: `0x${(i + 1).toString(16).padStart(64, '0')}` as Hex,
    raw: '0x',
    inboxEntries: fx.entries(i),
    firstSeen,
  })

async function median(extra: SweepConfig): Promise<{ roundMs: number; p99Ms: number; maxMs: number }> {
  const sweep = await startSweep(
    {
      source: 'accepted',
      mode: 'index',
      index: fx.path,
      chainId: fx.execChain,
      threads: availableParallelism(),
      roundTimeoutMs: 60_000,
      ...extra,
    },
    { acceptedSet: set, logger },
  )
  try {
    await sweep.runOnce() // warm-up: workers, database handles; with the option, every block read once
    const runs = []
    for (let i = 0; i < ROUNDS; i++) {
      const r = await sweep.runOnce()
      if (r.counts.valid !== N) throw new Error(`${r.counts.valid} of ${N} valid: ${JSON.stringify(r.byCode)}`)
      runs.push(r)
    }
    runs.sort((a, b) => a.durationsMs.total - b.durationsMs.total)
    const r = runs[Math.floor(ROUNDS / 2)]!
    return {
      roundMs: r.durationsMs.total,
      p99Ms: r.eventLoop.p99Ms,
      maxMs: Math.max(...runs.map((x) => x.eventLoop.maxMs)),
    }
  } finally {
    await sweep.close()
  }
}

try {
  // A B B A: the page cache and the box's load drift over the run; each side gets an early and a late turn.
  const a1 = await median({})
  const b1 = await median({ evictOnReorg: true })
  const b2 = await median({ evictOnReorg: true })
  const a2 = await median({})
  const mean = (x: number, y: number) => Math.round(((x + y) / 2) * 10) / 10
  const baseline = {
    roundMs: mean(a1.roundMs, a2.roundMs),
    p99Ms: mean(a1.p99Ms, a2.p99Ms),
    maxMs: Math.max(a1.maxMs, a2.maxMs),
  }
  const withOption = {
    roundMs: mean(b1.roundMs, b2.roundMs),
    p99Ms: mean(b1.p99Ms, b2.p99Ms),
    maxMs: Math.max(b1.maxMs, b2.maxMs),
  }
  report('sweep-evict-on-reorg', {
    txs: N,
    sourceBlocks: Math.ceil(N / 100),
    baseline,
    evictOnReorg: withOption,
    roundRatio: ratio(withOption.roundMs, baseline.roundMs),
  })
} finally {
  rmSync(dir, { recursive: true, force: true })
}
