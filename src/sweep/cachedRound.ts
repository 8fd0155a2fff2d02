import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { SweepTx } from './planRound.js'
import type { TxVerdict } from './sweepReport.js'
import type { CacheStats, VerdictCache } from './verdictCache.js'

/** A round's use of the verdict cache: what still needs a check, and how to keep its verdicts. */
export type CacheRound = {
  /** Transactions to check this round, and where each one's verdict goes in the round's list. */
  toCheck: SweepTx[]
  toCheckAt: Uint32Array
  stats: CacheStats
  /** Keeps the definitive verdicts of this round's checks and forgets transactions no longer listed. */
  remember(verdicts: readonly TxVerdict[], now: number, windowMs: number): Promise<void>
}

/** Per transaction of the round (indexed like the collected list), as the round's ReorgWatch saw it. */
export type SourceBlocks = {
  /** 1: a source block it reads changed hash this round (a cached verdict is stale). */
  reorged?: Uint8Array | undefined
  /** 1: every source block it reads has a remembered hash, so a reorg under it will be seen. */
  watched?: Uint8Array | undefined
}

/**
 * Before a round's checks: drops the entries of transactions a source reorg reached, then answers
 * what it can from the cache. A transaction whose source blocks are not all watched (a chain the
 * watch could not read, heights beyond its per-round budget, no watch at all) is checked and not
 * kept. Runs in ≤ 4 ms slices (100k look-ups: ~30 ms).
 */
export async function consultCache(
  cache: VerdictCache,
  blocks: SourceBlocks,
  live: readonly SweepTx[],
  liveAt: Uint32Array,
  verdicts: TxVerdict[],
  now: number,
  signal?: AbortSignal,
): Promise<CacheRound> {
  // Called only every 1024th element: an `await` per element costs a microtask each (100k a round).
  let slice = performance.now()
  const pause = async () => {
    if (performance.now() - slice > 4) {
      await yieldToLoop()
      signal?.throwIfAborted()
      slice = performance.now()
    }
  }
  cache.beginRound()
  const stats: CacheStats = { hits: 0, misses: 0, invalidated: { reorg: 0, expired: 0, gone: 0 } }
  const toCheck: SweepTx[] = []
  const at: number[] = []
  const keep: number[] = []
  for (let k = 0; k < live.length; k++) {
    if ((k & 1023) === 1023) await pause()
    const tx = live[k]!
    const i = liveAt[k]!
    if (blocks.reorged?.[i] === 1 && cache.delete(tx.hash)) stats.invalidated.reorg++
    const watched = blocks.watched?.[i] === 1
    const hit = watched ? cache.get(tx, now) : { expired: false }
    if (hit.expired) stats.invalidated.expired++
    if (hit.verdict) {
      stats.hits++
      verdicts[i] = hit.verdict
      continue
    }
    if (!watched) cache.touch(tx.hash)
    else keep.push(toCheck.length)
    toCheck.push(tx)
    at.push(i)
  }
  stats.misses = toCheck.length
  const toCheckAt = Uint32Array.from(at)
  return {
    toCheck,
    toCheckAt,
    stats,
    async remember(all, rememberAt, windowMs) {
      for (let j = 0; j < keep.length; j++) {
        if ((j & 1023) === 1023) await pause()
        const k = keep[j]!
        cache.set(toCheck[k]!, all[toCheckAt[k]!]!, rememberAt, windowMs)
      }
      stats.invalidated.gone = cache.forgetUnseen()
    },
  }
}
