import type { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import type { BackfillProgress } from './backfillProgress.js'
import type { ChainRpc } from './chainRpc.js'
import type { CrossUnsafe } from './crossUnsafe.js'
import type { IndexerEvents } from './indexerEvents.js'
import type { ChainRecord, LogStore } from './logStore.js'
import type { IndexerMetrics } from './metrics.js'
import type { StorageErrors } from './storageErrors.js'

export type IngesterOptions = {
  backfillMs: number
  pollMs: number
  expiryMs: number
  pruneIntervalMs: number
  /** Bound of one prune step (LogStore.prune); PRUNE_STEP unless a test sets a smaller one. */
  pruneStep?: { logs: number; blocks: number }
  /** Largest eth_getLogs range in blocks (every block's header is fetched too). */
  maxRange: number
  /** Wall clock in ms; windows (backfill, prune) are measured against it. */
  now: () => number
}

/** What indexing one chain works with; each part of the ingester takes the few of these it needs. */
export type IngesterDeps = {
  chain: ChainRecord
  rpc: ChainRpc
  store: LogStore
  cross: CrossUnsafe
  events: EventEmitter<IndexerEvents>
  logger: Logger
  metrics: IndexerMetrics
  progress: BackfillProgress | undefined
  /** Storage failures of a commit are recorded (counted, logged once per interval, /healthz) here. */
  storage?: StorageErrors | undefined
  signal: AbortSignal
  /** Interop activation block: a fresh index starts no earlier (op-interop-filter waits for it too). */
  activationBlock?: bigint | undefined
}
