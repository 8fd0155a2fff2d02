import type { EventEmitter } from 'node:events'
import { setTimeout as delay } from 'node:timers/promises'
import type { Logger } from 'pino'
import type { BackfillProgress } from './backfillProgress.js'
import { hexOf } from './blockRow.js'
import { buildIndexedBlocks } from './buildIndexedBlocks.js'
import type { ChainRpc, Header, RawLog } from './chainRpc.js'
import type { CrossUnsafe } from './crossUnsafe.js'
import { MissingBlockError } from './errors.js'
import { findBackfillStart } from './findBackfillStart.js'
import type { IndexedBlock } from './indexedBlock.js'
import type { IndexerEvents } from './indexerEvents.js'
import type { IndexerMetrics } from './metrics.js'
import type { ChainRecord, ChainTags, LogStore } from './logStore.js'
import { RangePlanner } from './rangePlanner.js'
import type { StorageErrors } from './storageErrors.js'

export type IngesterOptions = {
  backfillMs: number
  pollMs: number
  expiryMs: number
  pruneIntervalMs: number
  /** Largest eth_getLogs range in blocks (every block's header is fetched too). */
  maxRange: number
  /** Wall clock in ms; windows (backfill, prune) are measured against it. */
  now: () => number
}

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
}

type Raw = { from: bigint; to: bigint; headers: Header[]; logs: RawLog[] }
type Fetched = { from: bigint; to: bigint; blocks: IndexedBlock[]; logs: number }

/** Depth of the header window compared per step when looking for the common ancestor of a reorg. */
const ANCESTOR_WINDOW = 64n
const MAX_BACKOFF_MS = 30_000

/**
 * Indexes one chain: backfills from the start of the window, then follows the head every
 * `pollMs`. Ranges are fetched (logs + every header, batched) while the previous one commits.
 * A parent-hash mismatch (or a head that went backwards or changed hash) triggers a walk back
 * to the common ancestor, a rewind, and re-indexing. RPC failures back off and retry forever.
 */
export class Ingester {
  remoteHead: bigint | undefined
  lastPollAt: number | undefined
  readonly #d: IngesterDeps
  readonly #o: IngesterOptions
  readonly #planner: RangePlanner
  #tags: ChainTags = {}
  #lastPruneAt = -Infinity

  constructor(deps: IngesterDeps, opts: IngesterOptions) {
    this.#d = deps
    this.#o = opts
    this.#planner = new RangePlanner({ initial: Math.min(100, opts.maxRange), max: opts.maxRange })
  }

  get #key(): number {
    return this.#d.chain.key
  }

  get #chainId(): bigint {
    return this.#d.chain.chainId
  }

  async run(): Promise<void> {
    const { signal, logger } = this.#d
    let backoff = 0
    let rewinds = 0
    while (!signal.aborted) {
      let again = false
      try {
        again = await this.#cycle()
        backoff = 0
        // Re-poll at once after a rewind, but not forever against an endpoint that flips between forks.
        rewinds = again ? rewinds + 1 : 0
        if (rewinds > 3) again = false
      } catch (err) {
        if (signal.aborted) break
        backoff = Math.min(MAX_BACKOFF_MS, Math.max(250, backoff * 2))
        // A storage failure (disk full, I/O error, a corrupt page) is the storage tracker's to log
        // (once per interval with a count) and to show on /healthz; the retry is the same.
        if (this.#d.storage?.record('write', err) === undefined) logger.warn({ err, chainId: this.#chainId.toString(), retryInMs: backoff }, 'indexing failed; retrying')
        await this.#sleep(backoff)
        continue
      }
      if (!again) await this.#sleep(this.#o.pollMs)
    }
  }

  /** One poll: head and tags, reorg check, catch up, readiness, pruning. True to poll again at once. */
  async #cycle(): Promise<boolean> {
    const { rpc, store } = this.#d
    const [latest, safe, finalized] = await Promise.all([
      rpc.header('latest'),
      rpc.header('safe').catch(() => undefined),
      rpc.header('finalized').catch(() => undefined),
    ])
    if (!latest) throw new Error('the endpoint returned no latest block')
    this.remoteHead = latest.number
    this.lastPollAt = Date.now()
    this.#tags = { safe, finalized }
    const tip = store.head(this.#key, 'unsafe')
    if (tip && latest.number === tip.number && latest.hash !== tip.hash) {
      await this.#reorg(tip.number)
      return true
    }
    if (tip && latest.number < tip.number) {
      // Behind our head: a load-balanced endpoint with a lagging backend still has our tip;
      // a chain that really got shorter does not, and we must drop what it dropped.
      const same = await rpc.header(tip.number)
      if (same?.hash !== tip.hash) {
        await this.#reorg(latest.number)
        return true
      }
    }
    if (!tip || tip.number < latest.number) {
      const outcome = await this.#catchUp(latest.number)
      if (outcome === 'again') return true
      if (outcome === 'later') return false
    } else {
      store.setTags(this.#key, this.#tags)
      this.#publishHeads()
    }
    if (!store.isReady(this.#key)) this.#markReady()
    // Also after a restart on an idle chain: cross-unsafe may be behind what is already stored.
    this.#advanceCross()
    this.#prune()
    return false
  }

  /** Indexes up to `target`: 'again' = poll again at once (after a rewind), 'later' = the endpoint lags, wait. */
  async #catchUp(target: bigint): Promise<'done' | 'again' | 'later'> {
    const { store, events, metrics, progress, logger } = this.#d
    const planner = this.#planner
    let tip = store.head(this.#key, 'unsafe')
    let from = tip ? tip.number + 1n : await this.#startBlock(target)
    if (from > target) return 'done' // a planned start the endpoint has not reached (yet)
    const backfillFrom = from
    const backfilling = !store.isReady(this.#key)
    let inflight: Promise<Raw> | undefined = this.#fetch(from, planner.end(from, target))
    while (inflight) {
      let range: Fetched
      try {
        const raw: Raw = await inflight
        // Plan and request the next range before this one is checked and hashed, so the endpoint
        // serves it meanwhile (backfill from a local anvil: ~30% more logs/s with the yield below). The planner learns
        // from this range only if it builds; if not, it is put back before the failure counts.
        const before = planner.copy()
        planner.success(raw.headers.length, raw.logs.length)
        const next: bigint = raw.to + 1n
        inflight = next <= target ? this.#fetch(next, planner.end(next, target)) : undefined
        // Let the requests go out before the CPU-bound build: viem sends the header batch from a
        // setTimeout(0) and undici writes on later ticks (waits per range 70 → 25 ms).
        if (inflight) await delay(0)
        try {
          range = this.#build(raw)
        } catch (err) {
          planner.restore(before)
          throw err
        }
      } catch (err) {
        if (this.#d.signal.aborted) throw err
        // The endpoint does not have a block below the head it reported: it lags, or the chain got
        // shorter; the next poll tells which.
        if (err instanceof MissingBlockError) return 'later'
        if (!planner.failure()) throw err
        logger.debug({ err, chainId: this.#chainId.toString(), range: planner.size }, 'range failed; shrinking')
        inflight = this.#fetch(from, planner.end(from, target))
        continue
      }
      if (tip && range.blocks[0]!.ref.parentHash !== tip.hash) {
        await this.#reorg(tip.number)
        return 'again'
      }
      const next = range.to + 1n
      store.appendBlocks(this.#key, range.blocks, this.#tags)
      tip = range.blocks.at(-1)!.ref
      const labels = { chain_id: this.#chainId.toString() }
      metrics.logs.inc(labels, range.logs)
      metrics.blocks.inc(labels, range.blocks.length)
      if (backfilling && progress) {
        progress.update(this.#chainId, backfillFrom, tip.number, target)
        metrics.backfillRate.set(labels, progress.snapshot(this.#chainId)?.blocksPerSecond ?? 0)
      }
      this.#publishHeads()
      this.#advanceCross()
      events.emit('commit', this.#chainId, tip)
      from = next
    }
    return 'done'
  }

  /** The headers and logs of from..to; what the endpoint sent, not checked yet (#build does). */
  #fetch(from: bigint, to: bigint): Promise<Raw> {
    const { rpc } = this.#d
    const p = Promise.all([rpc.headers(from, to), rpc.logs(from, to)]).then(([headers, logs]) => ({ from, to, headers, logs }))
    p.catch(() => {}) // a prefetch abandoned after a reorg or a failed range must not surface as an unhandled rejection
    return p
  }

  /** Checks a fetched range and computes its rows; throws InconsistentRangeError for a range that is not one chain. */
  #build({ from, to, headers, logs }: Raw): Fetched {
    const { logger } = this.#d
    const chainId = this.#chainId
    const blocks = buildIndexedBlocks(chainId, headers, logs, {
      onBadExecutingMessage: (block, logIndex, err) => logger.warn({ err, chainId: chainId.toString(), block: block.toString(), logIndex }, 'undecodable ExecutingMessage event ignored'),
    })
    return { from, to, blocks, logs: logs.length }
  }

  /** Where an empty index starts: the persisted plan, or the first block inside the backfill window. */
  async #startBlock(target: bigint): Promise<bigint> {
    const { chain, rpc, store, logger } = this.#d
    if (chain.backfillStart !== undefined) return chain.backfillStart
    const latest = await rpc.header(target)
    if (!latest) throw new MissingBlockError(target)
    const cutoff = BigInt(Math.floor((this.#o.now() - this.#o.backfillMs) / 1000))
    const start = await findBackfillStart(rpc, latest, cutoff)
    store.setBackfillStart(chain.key, start)
    chain.backfillStart = start
    logger.info({ chainId: this.#chainId.toString(), from: start.toString(), to: target.toString() }, 'backfill planned')
    return start
  }

  async #reorg(hint: bigint): Promise<void> {
    const { store, cross, events, metrics, logger, chain } = this.#d
    const from = store.head(this.#key, 'unsafe')!
    const ancestor = await this.#commonAncestor(hint)
    const first = store.firstBlock(this.#key)
    store.transaction(() => {
      store.rewind(this.#key, ancestor)
      cross.pullBack(this.#key, ancestor)
    })
    const to = store.head(this.#key, 'unsafe')
    if (!to && first) {
      // Nothing in common with the chain: index the same window again from the first block we had.
      store.setBackfillStart(this.#key, first.number)
      chain.backfillStart = first.number
      store.setReady(this.#key, false)
    }
    metrics.reorgs.inc({ chain_id: this.#chainId.toString() })
    logger.warn({ chainId: this.#chainId.toString(), from: from.number.toString(), to: to?.number.toString(), depth: (from.number - ancestor).toString() }, 'reorg: rewound to the common ancestor')
    this.#publishHeads()
    events.emit('reorg', { chainId: this.#chainId, from, to })
    this.#advanceCross()
  }

  /** Highest stored block (≤ hint) whose hash the chain still has; first stored − 1 when none. */
  async #commonAncestor(hint: bigint): Promise<bigint> {
    const { store, rpc } = this.#d
    const first = store.firstBlock(this.#key)
    if (!first) return -1n
    for (let hi = hint; hi >= first.number; ) {
      const lo = hi - ANCESTOR_WINDOW + 1n > first.number ? hi - ANCESTOR_WINDOW + 1n : first.number
      const remote = await rpc.headers(lo, hi)
      for (const s of store.hashesDesc(this.#key, lo, hi)) {
        if (remote[Number(s.number - lo)]?.hash === hexOf(s.hash)) return s.number
      }
      hi = lo - 1n
    }
    return first.number - 1n
  }

  #markReady(): void {
    const { store, progress, metrics, events, logger } = this.#d
    store.setReady(this.#key)
    progress?.done(this.#chainId)
    metrics.backfillRate.set({ chain_id: this.#chainId.toString() }, 0)
    logger.info({ chainId: this.#chainId.toString(), head: store.head(this.#key, 'unsafe')?.number.toString() }, 'chain ready')
    events.emit('ready', this.#chainId)
  }

  #prune(): void {
    const now = this.#o.now()
    if (now - this.#lastPruneAt < this.#o.pruneIntervalMs) return
    this.#lastPruneAt = now
    const cutoff = BigInt(Math.floor((now - this.#o.expiryMs) / 1000))
    const kept = this.#d.store.prune(this.#key, cutoff)
    if (kept === undefined) return
    this.#d.logger.debug({ chainId: this.#chainId.toString(), firstKept: kept.toString() }, 'pruned expired blocks')
    this.#d.events.emit('prune', this.#chainId, kept)
  }

  #advanceCross(): void {
    const { cross, store, events, metrics } = this.#d
    for (const c of cross.advanceAll()) {
      const head = store.head(c.key, 'cross-unsafe')
      if (!head) continue
      metrics.head.set({ chain_id: c.chainId.toString(), level: 'cross-unsafe' }, Number(head.number))
      events.emit('cross-unsafe', c.chainId, head)
    }
  }

  #publishHeads(): void {
    for (const level of ['unsafe', 'cross-unsafe', 'safe', 'finalized'] as const) {
      const h = this.#d.store.head(this.#key, level)
      if (h) this.#d.metrics.head.set({ chain_id: this.#chainId.toString(), level }, Number(h.number))
    }
  }

  async #sleep(ms: number): Promise<void> {
    await delay(ms, undefined, { signal: this.#d.signal }).catch(() => {})
  }
}
