import type { Hex, SafetyLevel } from '../interop/index.js'
import type { MaybePromise } from './maybePromise.js'
import type { BlockRef, ChainStatus, StoredLog } from './types.js'

/** Why a log look-up found nothing: the block is not there (yet), or the block has no such log. */
export type LogMiss = 'no-block' | 'no-log'

/** The heads a chain reports in syncStatus / localUnsafe / crossSafe / finalized. */
export type ChainHeads = {
  unsafe: BlockRef | undefined
  crossUnsafe: BlockRef | undefined
  safe: BlockRef | undefined
  finalized: BlockRef | undefined
}

/**
 * What the core check needs to know about the configured chains. Two implementations:
 * `createIndexBackend` (the SQLite log index, every answer synchronous) and `createRpcBackend`
 * (the seed's light mode: each answer comes from the chain's own RPC, through a short cache).
 * Both must give the same verdict on the same chain state.
 */
export interface Backend {
  readonly kind: 'index' | 'rpc'
  /** The dependency set: every configured chain. */
  chains(): readonly bigint[]
  hasChain(chainId: bigint): boolean
  /** False until the chain can be answered for (index: backfill done; rpc: first head seen). */
  isReady(chainId: bigint): boolean
  /**
   * Highest block number a message may reference: the indexed head (index) or the chain's latest
   * block (rpc). `wanted` is the block asked for: the rpc backend refreshes its cached head only
   * when the cached head is below it, so a just-mined block is seen at once.
   */
  latest(chainId: bigint, wanted: bigint): MaybePromise<bigint | undefined>
  /** The log at (block, logIndex) of the canonical chain: its checksum and its block's timestamp. */
  findLog(chainId: bigint, blockNumber: bigint, logIndex: number): MaybePromise<StoredLog | LogMiss>
  /** Whether an existing block has reached `level` (never called for 'unsafe'). */
  reached(chainId: bigint, blockNumber: bigint, level: Exclude<SafetyLevel, 'unsafe'>): MaybePromise<boolean>
  heads(chainId: bigint): MaybePromise<ChainHeads>
  /** Hash of block `at` (or of the latest block) of the canonical chain, undefined when not held. */
  blockHash(chainId: bigint, at: bigint | 'latest'): MaybePromise<Hex | undefined>
  /**
   * Runs `fn` (synchronous) against one state of the chains: the index reads a batch's look-ups in
   * one SQLite read transaction; the rpc backend has no such view and just runs `fn`.
   */
  snapshot<T>(fn: () => T): T
  /** Per-chain progress for /healthz and logs. */
  status(): ChainStatus[]
  close(): Promise<void>
}
