import type { ChainStatus } from '../check/types.js'
import type { Health } from '../rpc/index.js'

/**
 * /healthz: 200 once every chain is ready (backfilled) and within two poll intervals of its head,
 * 503 otherwise, with per-chain reasons so an operator sees which chain lags. "Within two poll
 * intervals" is measured in time, not blocks (block times differ per chain): the last successful
 * poll is at most 2·poll old, and the index has not been behind the head that polls reported for
 * longer than 2·poll. A poll that just saw a new block, still being committed, is not a lag.
 * `storage` (index backend) names a storage failure of the index (see StorageErrors): 503 with
 * `storage: {problem}` in the body while it lasts, whatever the chains say.
 */
export function createHealth(
  pollMs: number,
  statuses: () => readonly ChainStatus[],
  now: () => number = Date.now,
  storage?: () => string | undefined,
): () => Health {
  const behindSince = new Map<bigint, number>()
  return () => {
    const t = now()
    const chains = statuses().map((s) => {
      const behind = s.indexed === undefined || (s.remoteHead !== undefined && s.indexed.number < s.remoteHead)
      if (!behind) behindSince.delete(s.chainId)
      else if (!behindSince.has(s.chainId)) behindSince.set(s.chainId, t)
      let problem: string | undefined
      if (!s.ready) problem = 'backfilling'
      else if (s.lastPollAt === undefined || t - s.lastPollAt > 2 * pollMs)
        problem = 'no successful poll within two poll intervals'
      else if (behind && t - behindSince.get(s.chainId)! > 2 * pollMs)
        problem = 'behind the chain head for more than two poll intervals'
      return {
        chainId: s.chainId.toString(),
        ready: s.ready,
        head: s.indexed === undefined ? null : Number(s.indexed.number),
        remoteHead: s.remoteHead === undefined ? null : Number(s.remoteHead),
        lastPollMsAgo: s.lastPollAt === undefined ? null : t - s.lastPollAt,
        ...(problem ? { problem } : {}),
      }
    })
    const storageProblem = storage?.()
    const ok = chains.length > 0 && chains.every((c) => c.problem === undefined) && storageProblem === undefined
    return {
      status: ok ? 200 : 503,
      body: { ok, chains, ...(storageProblem ? { storage: { problem: storageProblem } } : {}) },
    }
  }
}
