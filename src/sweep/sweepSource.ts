import type { Hex } from '../interop/index.js'
import type { SweepTx } from './planRound.js'
import type { ReadStats } from './txpoolReader.js'

/** What one round collected from a mempool. */
export type Collected = {
  /** Interop transactions (at least one CrossL2Inbox entry). */
  txs: readonly SweepTx[]
  /** Every transaction the pool holds, interop or not. */
  total: number
  /** Transactions the source could not read (malformed listing), ignored. */
  skipped: number
  /** How the txpool source read this round, and its cost. */
  read?: ReadStats
}

export type DropResult = { dropped: number; failed: number; unsupported: boolean }

/** A mempool a sweep reads and, with --drop, evicts from. */
export interface SweepSource {
  readonly name: 'txpool' | 'accepted'
  collect(signal?: AbortSignal): Promise<Collected>
  drop(hashes: readonly Hex[], signal?: AbortSignal): Promise<DropResult>
  close(): void
}

/**
 * What a sweep needs of the ingress's accepted set: a snapshot, and eviction. In the ingress's
 * process (memory, answers at once) or shared through Redis (promises).
 */
export interface AcceptedTxs {
  snapshot(): readonly SweepTx[] | Promise<readonly SweepTx[]>
  delete(hash: Hex): boolean | Promise<boolean>
}
