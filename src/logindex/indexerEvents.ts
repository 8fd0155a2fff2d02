import type { BlockRef } from '../check/types.js'

/** A rewind after a reorg: `from` was the indexed head, `to` the common ancestor (undefined when nothing was kept). */
export type ReorgEvent = { chainId: bigint; from: BlockRef; to: BlockRef | undefined }

/** Events of a running indexer; each is emitted after the change is committed. */
export type IndexerEvents = {
  /** The unsafe head moved forward (one per committed range). */
  commit: [chainId: bigint, head: BlockRef]
  reorg: [event: ReorgEvent]
  /** The chain's backfill completed; `isReady(chainId)` is true from now on. */
  ready: [chainId: bigint]
  'cross-unsafe': [chainId: bigint, head: BlockRef]
  /** Blocks below `firstKept` were pruned. */
  prune: [chainId: bigint, firstKept: bigint]
}
