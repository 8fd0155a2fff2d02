import type { Hex } from '../interop/index.js'

/** A block as the index stores it. */
export type BlockRef = { number: bigint; hash: Hex; parentHash: Hex; timestamp: bigint }

/**
 * Heads the index keeps per chain: `unsafe` = highest indexed block, `cross-unsafe` = highest block
 * whose executing messages (transitively) are valid, `safe` / `finalized` = the chain's own tags
 * (`local-safe` reads `safe`), each capped at the indexed head.
 */
export type HeadLevel = 'unsafe' | 'cross-unsafe' | 'safe' | 'finalized'

/** What a check needs of one log: its precomputed access-list checksum and its block's timestamp. */
export type StoredLog = { checksum: Buffer; timestamp: bigint }

/**
 * Read side of the log index, the only thing the supervisor's index backend and the sweep
 * workers use. Every method is synchronous (better-sqlite3) and cheap: one indexed look-up.
 */
export interface LogReader {
  /** Chain ids the index is configured for. */
  chains(): readonly bigint[]
  /** True once the chain's backfill has completed (before that, checks answer -320400). */
  isReady(chainId: bigint): boolean
  head(chainId: bigint, level: HeadLevel): BlockRef | undefined
  block(chainId: bigint, number: bigint): BlockRef | undefined
  /** The log at (blockNumber, logIndex) of the indexed canonical chain, or undefined. */
  findLog(chainId: bigint, blockNumber: bigint, logIndex: number): StoredLog | undefined
  /**
   * Runs `fn` (synchronous) with every look-up in it reading one state of the index: a batch of
   * checks gets one consistent view, and SQLite takes its WAL read lock once instead of per look-up.
   */
  snapshot<T>(fn: () => T): T
}

/** Per-chain progress, for /healthz, syncStatus, metrics and logs. */
export type ChainStatus = {
  chainId: bigint
  ready: boolean
  indexed: BlockRef | undefined
  /** Highest block number the chain's RPC reported at the last poll. */
  remoteHead: bigint | undefined
  /** Unix ms of the last successful poll of the RPC. */
  lastPollAt: number | undefined
}
