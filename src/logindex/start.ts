import { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { ChainStatus, LogReader } from '../check/types.js'
import { StartupRefusal, chainConfiguredTwice as twice } from '../errors/startup.js'
import { shortErrorText } from '../util/errorText.js'
import { initKeccak } from '../util/keccak.js'
import { BackfillProgress } from './backfillProgress.js'
import {
  type BackgroundCheckResult,
  checkInBackground,
  checksInBackground,
  type StartupCheck,
} from './backgroundCheck.js'
import { ChainRpc } from './chainRpc.js'
import { CrossUnsafe } from './crossUnsafe.js'
import { ChainIdMismatchError } from './errors.js'
import type { IndexerEvents } from './indexerEvents.js'
import { Ingester } from './ingester.js'
import { IndexLogReader } from './logReader.js'
import { type ChainRecord, LogStore } from './logStore.js'
import { createIndexerMetrics } from './metrics.js'
import { fileBytes } from './openDb.js'
import { openIndex } from './openIndex.js'
import { StorageErrors } from './storageErrors.js'

/** 7 days, EXPIRY_TIME of specs/interop/messaging.md. */
export const DEFAULT_EXPIRY_MS = 604_800_000

export type ChainEndpoint = { url: string; chainId?: bigint | undefined }

export type IndexerOptions = {
  /** One per chain; a given chainId is checked against the endpoint's eth_chainId. */
  chains: readonly ChainEndpoint[]
  /** Interop activation block per chain id (rollup configs): a fresh index starts there, and waits for it. */
  activationBlocks?: ReadonlyMap<bigint, bigint> | undefined
  dbPath: string
  /** How far back to index on an empty database (capped at the expiry window and at genesis). */
  backfillMs: number
  pollMs: number
  /** Rows older than this are pruned (default 7 days). */
  expiryMs?: number
  logger: Logger
  registry?: Registry
  /** Show backfill progress (a bar on a TTY stderr, log lines otherwise). Default true. */
  progress?: boolean
  /** Largest block range per eth_getLogs (default 1000). */
  maxRange?: number
  /** JSON-RPC requests per HTTP batch (default 100; 1 = no batching). */
  rpcBatchSize?: number
  /** How often expired rows are pruned (default 60 s). */
  pruneIntervalMs?: number
  /** Bound of one prune step (default PRUNE_STEP: 20,000 logs or blocks). */
  pruneStep?: { logs: number; blocks: number }
  /** Clock in ms for the backfill and expiry windows (tests move it). Default Date.now. */
  now?: () => number
  /** A database that fails the start-up quick_check is moved aside and indexed afresh (else: IndexDbError). */
  rebuildCorrupt?: boolean
  /**
   * When the start-up quick_check runs: 'inline' before serving (a corrupt file is refused),
   * 'background' on a worker while serving (damage fails /healthz), 'auto' (default) inline up to
   * 1 GiB, background above.
   */
  startupCheck?: StartupCheck
}

/**
 * A running log index. `reader` answers checks synchronously from SQLite; events fire after
 * each commit ('commit', 'reorg', 'ready', 'cross-unsafe', 'prune') so callers wait on them.
 */
export class Indexer extends EventEmitter<IndexerEvents> {
  readonly reader: LogReader
  readonly chainIds: bigint[]
  /** Resolves once every chain has completed its backfill; rejects if the indexer closes first. */
  readonly ready: Promise<void>
  readonly dbPath: string
  /** Storage failures at run time (reads and writes): metric, rate-limited log, /healthz. */
  readonly storage: StorageErrors
  /**
   * The start-up quick_check run on a worker after the start (--startup-check): resolves with its
   * outcome (undefined: sound), or undefined when the check ran inline before the start.
   */
  readonly quickCheck: Promise<BackgroundCheckResult> | undefined
  readonly #ingesters: Ingester[]
  readonly #close: () => Promise<void>

  /** @internal built by startIndexer */
  constructor(parts: {
    reader: LogReader
    chainIds: bigint[]
    dbPath: string
    storage: StorageErrors
    quickCheck: Promise<BackgroundCheckResult> | undefined
    ready: Promise<void>
    ingesters: Ingester[]
    close: () => Promise<void>
  }) {
    super()
    this.setMaxListeners(100) // tests and the supervisor wait on events concurrently
    this.reader = parts.reader
    this.chainIds = parts.chainIds
    this.dbPath = parts.dbPath
    this.storage = parts.storage
    this.quickCheck = parts.quickCheck
    this.ready = parts.ready
    this.#ingesters = parts.ingesters
    this.#close = parts.close
  }

  status(): ChainStatus[] {
    return this.chainIds.map((chainId, i) => ({
      chainId,
      ready: this.reader.isReady(chainId),
      indexed: this.reader.head(chainId, 'unsafe'),
      remoteHead: this.#ingesters[i]?.remoteHead,
      lastPollAt: this.#ingesters[i]?.lastPollAt,
    }))
  }

  /**
   * Resolves once `chainId`'s `level` head ('unsafe' or 'cross-unsafe') reaches `blockNumber`,
   * re-checking on the indexer's own events (no polling); rejects when `signal` aborts.
   */
  until(chainId: bigint, level: 'unsafe' | 'cross-unsafe', blockNumber: bigint, signal?: AbortSignal): Promise<void> {
    const event = level === 'unsafe' ? 'commit' : 'cross-unsafe'
    const done = () => (this.reader.head(chainId, level)?.number ?? -1n) >= blockNumber
    if (done()) return Promise.resolve()
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      const onEvent = () => {
        if (done()) finish(resolve)
      }
      const onAbort = () => finish(() => reject(signal!.reason))
      const finish = (f: () => void) => {
        this.off(event, onEvent)
        signal?.removeEventListener('abort', onAbort)
        f()
      }
      this.on(event, onEvent)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Stops polling, waits for the loops to leave (a commit in progress finishes), closes the database. */
  close(): Promise<void> {
    return this.#close()
  }
}

/**
 * Opens (checks, and migrates) the index at `dbPath` (an IndexDbError when it cannot be used),
 * reads every endpoint's chain id, and starts one ingester per chain. Resolves once the loops
 * run; `ready` tells when the backfill is done.
 */
export async function startIndexer(opts: IndexerOptions): Promise<Indexer> {
  await initKeccak()
  const logger = opts.logger
  const expiryMs = opts.expiryMs ?? DEFAULT_EXPIRY_MS
  const abort = new AbortController()
  // The database first: a bad --db is refused without waiting for any endpoint.
  const deferCheck =
    opts.dbPath !== ':memory:' &&
    checksInBackground(opts.startupCheck ?? 'auto', fileBytes(opts.dbPath), opts.rebuildCorrupt ?? false)
  const db = openIndex(opts.dbPath, { logger, rebuildCorrupt: opts.rebuildCorrupt ?? false, quickCheck: !deferCheck })
  let store: LogStore
  let records: ChainRecord[]
  let chainIds: bigint[]
  const rpcs = opts.chains.map(
    (c) => new ChainRpc(c.url, { batchSize: opts.rpcBatchSize ?? 100, signal: abort.signal }),
  )
  try {
    chainIds = await Promise.all(rpcs.map((rpc, i) => readChainId(rpc, opts.chains[i]!.chainId, logger)))
    const dup = chainIds.find((id, i) => chainIds.indexOf(id) !== i)
    if (dup !== undefined)
      throw twice(
        dup,
        opts.chains.map((c) => c.url).filter((_, i) => chainIds[i] === dup),
      )
    store = new LogStore(db)
    records = chainIds.map((id) => store.registerChain(id))
  } catch (err) {
    abort.abort()
    db.close()
    throw err
  }
  const storage = new StorageErrors({ dbPath: opts.dbPath, logger, registry: opts.registry })
  const backgroundCheck = deferCheck ? checkInBackground(opts.dbPath, { storage, logger }) : undefined
  const cross = new CrossUnsafe(store, records, { expirySeconds: BigInt(Math.floor(expiryMs / 1000)), logger })
  const reader = new IndexLogReader(db, { chains: chainIds, state: store, heldSnapshot: true })
  const metrics = createIndexerMetrics(opts.registry)
  const progress = opts.progress === false ? undefined : new BackfillProgress({ logger })
  const ingesterOptions = {
    backfillMs: Math.min(opts.backfillMs, expiryMs),
    pollMs: opts.pollMs,
    expiryMs,
    pruneIntervalMs: opts.pruneIntervalMs ?? 60_000,
    pruneStep: opts.pruneStep,
    maxRange: opts.maxRange ?? 1_000,
    now: opts.now ?? Date.now,
  }

  const ingesters: Ingester[] = []
  const loops: Promise<void>[] = []
  let closing: Promise<void> | undefined
  let resolveReady: () => void = () => {}
  let rejectReady: (err: Error) => void = () => {}
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve
    rejectReady = reject
  })
  ready.catch(() => {}) // only an error for callers that wait on it
  const indexer = new Indexer({
    reader,
    chainIds,
    dbPath: opts.dbPath,
    storage,
    quickCheck: backgroundCheck?.result,
    ready,
    ingesters,
    close: () =>
      (closing ??= (async () => {
        abort.abort()
        await Promise.allSettled([...loops, backgroundCheck?.stop()])
        progress?.stop()
        rejectReady(new Error('indexer closed before the backfill completed'))
        storage.close()
        db.close()
      })()),
  })
  const checkReady = () => {
    if (!chainIds.every((id) => reader.isReady(id))) return
    indexer.off('ready', checkReady)
    resolveReady()
  }
  indexer.on('ready', checkReady)
  for (const [i, chain] of records.entries()) {
    ingesters.push(
      new Ingester(
        {
          chain,
          rpc: rpcs[i]!,
          activationBlock: opts.activationBlocks?.get(chain.chainId),
          store,
          cross,
          events: indexer,
          logger,
          metrics,
          progress,
          storage,
          signal: abort.signal,
        },
        ingesterOptions,
      ),
    )
  }
  checkReady()
  for (const ing of ingesters) loops.push(ing.run())
  logger.info({ chains: chainIds.map(String), dbPath: opts.dbPath }, 'log index started')
  return indexer
}

async function readChainId(rpc: ChainRpc, expected: bigint | undefined, logger: Logger): Promise<bigint> {
  let id: bigint
  try {
    id = await rpc.chainId()
  } catch (err) {
    // viem's message is ~10 lines (request body, docs link): its short text and the socket's cause.
    throw new StartupRefusal(
      'endpoint-unreachable',
      rpc.url,
      `cannot read the chain id of ${rpc.url}: ${shortErrorText(err)}`,
      {
        cause: err,
      },
    )
  }
  if (expected !== undefined && id !== expected)
    throw new ChainIdMismatchError(rpc.url, `${rpc.url} serves chain ${id}, configured as ${expected}`)
  if (rpc.batchRefused)
    logger.info(
      { url: rpc.url, chainId: id.toString() },
      'endpoint does not take JSON-RPC batches: one request per call',
    )
  return id
}
