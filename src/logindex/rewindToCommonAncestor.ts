import { hexOf } from './blockRow.js'
import type { HeadPublisher } from './headPublisher.js'
import type { IngesterDeps } from './ingesterDeps.js'

export type RewindDeps = Pick<IngesterDeps, 'chain' | 'rpc' | 'store' | 'cross' | 'events' | 'metrics' | 'logger'>

/** Depth of the header window compared per step when looking for the common ancestor of a reorg. */
const ANCESTOR_WINDOW = 64n

/**
 * A reorg: rewinds the chain's index (and cross-unsafe) to the highest stored block the chain
 * still has at or below `hint`; with none in common, plans to index the same window again.
 */
export async function rewindToCommonAncestor(d: RewindDeps, heads: HeadPublisher, hint: bigint): Promise<void> {
  const { store, cross, events, metrics, logger, chain } = d
  const key = chain.key
  const chainId = chain.chainId
  const from = store.head(key, 'unsafe')!
  const ancestor = await commonAncestor(d, hint)
  const first = store.firstBlock(key)
  store.transaction(() => {
    store.rewind(key, ancestor)
    cross.pullBack(key, ancestor)
  })
  const to = store.head(key, 'unsafe')
  if (!to && first) {
    // Nothing in common with the chain: index the same window again from the first block we had.
    store.setBackfillStart(key, first.number)
    chain.backfillStart = first.number
    store.setReady(key, false)
  }
  metrics.reorgs.inc({ chain_id: chainId.toString() })
  logger.warn(
    {
      chainId: chainId.toString(),
      from: from.number.toString(),
      to: to?.number.toString(),
      depth: (from.number - ancestor).toString(),
    },
    'reorg: rewound to the common ancestor',
  )
  heads.publish()
  events.emit('reorg', { chainId, from, to })
  heads.advanceCross()
}

/** Highest stored block (≤ hint) whose hash the chain still has; first stored − 1 when none. */
export async function commonAncestor(d: Pick<IngesterDeps, 'chain' | 'rpc' | 'store'>, hint: bigint): Promise<bigint> {
  const { store, rpc } = d
  const key = d.chain.key
  const first = store.firstBlock(key)
  if (!first) return -1n
  for (let hi = hint; hi >= first.number; ) {
    const lo = hi - ANCESTOR_WINDOW + 1n > first.number ? hi - ANCESTOR_WINDOW + 1n : first.number
    const remote = await rpc.headers(lo, hi)
    for (const s of store.hashesDesc(key, lo, hi)) {
      if (remote[Number(s.number - lo)]?.hash === hexOf(s.hash)) return s.number
    }
    hi = lo - 1n
  }
  return first.number - 1n
}
