import type { Logger } from 'pino'
import { createPublicClient, http, type PublicClient } from 'viem'
import { InternalError } from '../errors/index.js'
import type { Hex } from '../interop/index.js'
import { boundedFetch } from '../util/boundedFetch.js'
import { BoundedMap } from '../util/boundedMap.js'
import { FailureLog } from '../util/failureLog.js'
import { toQuantity } from '../util/hex.js'
import { BlockData, type RawLog } from './blockData.js'
import { createLimiter, type Limiter, LimiterFullError } from './limiter.js'
import type { MaybePromise } from './maybePromise.js'
import type { BlockRef, ChainStatus } from './types.js'

export type RpcChainOptions = {
  url: string
  pollMs: number
  cacheBlocks: number
  concurrency: number
  maxQueue: number
  requestTimeoutMs: number
  logger: Logger
  /** Called for every upstream request (metrics). */
  onRequest?: (chainId: bigint, method: string, ok: boolean) => void
  onCache?: (hit: boolean) => void
  onReorg?: (chainId: bigint, from: BlockRef | undefined, to: BlockRef) => void
  onHead?: (chainId: bigint, head: BlockRef) => void
}

type RawBlock = { number: string | null; hash: string | null; parentHash: string; timestamp: string }
type Tag = 'safe' | 'finalized'

const POLL_WARN_INTERVAL_MS = 10_000

/**
 * An upstream call that failed. On the wire it is -32603 "internal error: upstream unavailable for
 * chain N", the same text whatever went wrong: the endpoint's own text (viem's, the node's, a URL)
 * is an internal detail of this deployment. `reason` carries it for the log.
 */
export class UpstreamUnavailableError extends InternalError {
  override name = 'UpstreamUnavailableError'
  readonly reason: string
  constructor(chainId: bigint, reason: string, cause: unknown) {
    super({ details: `upstream unavailable for chain ${chainId}`, cause })
    this.reason = reason
  }
}

/** What to log of a failed upstream call: its reason when it is ours, else the error's text. */
const reasonOf = (err: unknown): string =>
  err instanceof UpstreamUnavailableError ? err.reason : err instanceof Error ? err.message : String(err)

/**
 * One source chain seen through its RPC, for the RPC backend: the head (polled every pollMs,
 * refreshed early when a check asks for a block above it), the safe/finalized tags (cached for
 * pollMs), and a bounded cache of blocks with their logs (entries live at most pollMs, so a
 * reorg the poll misses still shows within one interval). Every upstream call goes through a
 * bounded-concurrency limiter with a bounded queue and a request timeout.
 */
export class RpcChain {
  readonly chainId: bigint
  readonly url: string
  readonly #client: PublicClient
  readonly #limit: Limiter
  readonly #opts: RpcChainOptions
  readonly #blocks: BoundedMap<bigint, BlockData | Promise<BlockData | null>>
  readonly #tags: BoundedMap<Tag, { ref: BlockRef | undefined } | Promise<BlockRef | undefined>>
  #head: BlockRef | undefined
  #lastPollAt: number | undefined
  #refreshing: { promise: Promise<BlockRef | undefined>; startedAt: number } | undefined
  #queued: Promise<BlockRef | undefined> | undefined
  #timer: NodeJS.Timeout | undefined
  #closed = false
  readonly #pollFailures: FailureLog
  /** Failed look-ups a check asked for (a block, a fresher head): each such check answered -32603. */
  readonly #lookupFailures: FailureLog

  constructor(chainId: bigint, opts: RpcChainOptions, client?: PublicClient) {
    this.chainId = chainId
    this.url = opts.url
    this.#opts = opts
    this.#client = client ?? rpcClient(opts.url, opts.requestTimeoutMs)
    this.#limit = createLimiter(opts.concurrency, opts.maxQueue)
    this.#blocks = new BoundedMap(opts.cacheBlocks, { ttlMs: opts.pollMs, refreshOnGet: true })
    this.#tags = new BoundedMap(2, { ttlMs: opts.pollMs, refreshOnGet: true })
    const log = opts.logger.child({ chainId: String(chainId) })
    this.#pollFailures = new FailureLog(
      log,
      'head poll failed (logged once per 10 s while it fails)',
      POLL_WARN_INTERVAL_MS,
      { recoveredMsg: 'head poll recovered' },
    )
    this.#lookupFailures = new FailureLog(
      log,
      'upstream look-up failed: checks that need it answer -32603',
      POLL_WARN_INTERVAL_MS,
      { flush: true },
    )
  }

  get head(): BlockRef | undefined {
    return this.#head
  }

  status(): ChainStatus {
    return {
      chainId: this.chainId,
      ready: this.#head !== undefined,
      indexed: this.#head,
      remoteHead: this.#head?.number,
      lastPollAt: this.#lastPollAt,
    }
  }

  /**
   * Polls the head every pollMs until close(); the first poll starts now. A failing endpoint is
   * still polled every pollMs (the poll is what notices it is back, and a failure costs at most
   * one request timeout, never two at once), but logged once per POLL_WARN_INTERVAL_MS with the
   * count of failures since the last line, and once when it recovers: at poll 1s, a chain down
   * for an hour was 3,600 warnings.
   */
  start(): void {
    const tick = () => {
      this.refresh()
        .then(
          () => {
            this.#lastPollAt = Date.now()
            this.#pollFailures.success()
          },
          (err: unknown) => this.#pollFailures.failure(reasonOf(err)),
        )
        .finally(() => {
          if (!this.#closed) this.#timer = setTimeout(tick, this.#opts.pollMs).unref()
        })
    }
    tick()
  }

  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#lookupFailures.close()
  }

  /**
   * The latest block number, from the cached head when that already covers `wanted`. Otherwise
   * a refresh that started after this call (coalesced: at most one in flight and one queued per
   * chain, so a flood of future-block checks costs one eth_getBlockByNumber per round trip).
   */
  latest(wanted: bigint): MaybePromise<bigint | undefined> {
    if (this.#head && wanted <= this.#head.number) return this.#head.number
    return this.#refreshSince(performance.now()).then(
      (h) => h?.number,
      (err: unknown) => {
        this.#lookupFailures.failure(reasonOf(err), { wanted: String(wanted) })
        throw err
      },
    )
  }

  /** Fetches the latest block (joining a fetch in flight) and runs reorg detection on it. */
  refresh(): Promise<BlockRef | undefined> {
    return this.#refreshing?.promise ?? this.#startRefresh()
  }

  #startRefresh(): Promise<BlockRef | undefined> {
    const startedAt = performance.now()
    const promise = this.#fetchRef('latest')
      .then((ref) => {
        if (ref) this.#observe(ref)
        return ref
      })
      .finally(() => {
        if (this.#refreshing?.promise === promise) this.#refreshing = undefined
      })
    this.#refreshing = { promise, startedAt }
    return promise
  }

  #refreshSince(t: number): Promise<BlockRef | undefined> {
    const r = this.#refreshing
    if (!r) return this.#startRefresh()
    if (r.startedAt >= t) return r.promise
    this.#queued ??= r.promise
      .catch(() => undefined)
      .then(() => {
        this.#queued = undefined
        return this.#refreshing?.promise ?? this.#startRefresh()
      })
    return this.#queued
  }

  /**
   * The chain's safe or finalized block (cached for pollMs), undefined when the chain has none.
   * A failed look-up also counts as none (cached too), as the indexer does: some RPCs refuse the
   * tags, and a chain without them must still answer unsafe checks.
   */
  tag(tag: Tag): MaybePromise<BlockRef | undefined> {
    const hit = this.#tags.get(tag)
    if (hit !== undefined) return hit instanceof Promise ? hit : hit.ref
    const p: Promise<BlockRef | undefined> = this.#fetchRef(tag)
      .catch((err: unknown) => {
        this.#opts.logger.debug({ chainId: String(this.chainId), tag, err: reasonOf(err) }, 'tag look-up failed')
        return undefined
      })
      .then((ref) => {
        if (this.#tags.peek(tag) === p) this.#tags.replace(tag, { ref })
        return ref
      })
    this.#tags.set(tag, p)
    return p
  }

  /** Block `n` with its logs: cached (synchronous), in flight (shared), or fetched now. null: no such block. */
  block(n: bigint): MaybePromise<BlockData | null> {
    const hit = this.#blocks.get(n)
    if (hit !== undefined) {
      this.#opts.onCache?.(true)
      return hit
    }
    this.#opts.onCache?.(false)
    const p: Promise<BlockData | null> = this.#fetchBlock(n).then(
      (b) => {
        this.#lookupFailures.success()
        if (this.#blocks.peek(n) !== p) return b // dropped by a reorg meanwhile: answer, do not cache
        if (!b) this.#blocks.delete(n)
        else {
          this.#blocks.replace(n, b)
          this.#checkNeighbours(b)
        }
        return b
      },
      (err: unknown) => {
        if (this.#blocks.peek(n) === p) this.#blocks.delete(n)
        this.#lookupFailures.failure(reasonOf(err), { block: String(n) })
        throw err
      },
    )
    this.#blocks.set(n, p)
    return p
  }

  /**
   * Header and logs in parallel (one round trip). eth_getLogs by number can race a reorg, so the
   * logs must name the header's hash; otherwise they are fetched again by block hash.
   */
  async #fetchBlock(n: bigint): Promise<BlockData | null> {
    const q = toQuantity(n)
    const [raw, logs] = await Promise.all([
      this.#call<RawBlock | null>('eth_getBlockByNumber', [q, false]),
      this.#call<RawLog[]>('eth_getLogs', [{ fromBlock: q, toBlock: q }]),
    ])
    if (!raw?.hash) return null
    const ref = toRef(raw)
    const consistent = logs.every((l) => l.blockHash?.toLowerCase() === ref.hash)
    const own = consistent ? logs : await this.#call<RawLog[]>('eth_getLogs', [{ blockHash: ref.hash }])
    return new BlockData(this.chainId, ref, own)
  }

  async #fetchRef(tag: 'latest' | Tag): Promise<BlockRef | undefined> {
    const raw = await this.#call<RawBlock | null>('eth_getBlockByNumber', [tag, false])
    return raw?.hash ? toRef(raw) : undefined
  }

  /** Reorg detection on every new head: number went back, same height with another hash, or a broken parent link. */
  #observe(ref: BlockRef): void {
    const prev = this.#head
    let reorg = false
    if (prev) {
      if (ref.number < prev.number) reorg = true
      else if (ref.number === prev.number) reorg = ref.hash !== prev.hash
      else if (ref.number === prev.number + 1n) reorg = ref.parentHash !== prev.hash
    }
    const cached = this.#blocks.peek(ref.number)
    if (cached instanceof BlockData && cached.hash !== ref.hash) reorg = true
    const parent = this.#blocks.peek(ref.number - 1n)
    if (parent instanceof BlockData && parent.hash !== ref.parentHash) reorg = true
    this.#head = ref
    if (reorg) this.#reorged(prev, ref)
    this.#opts.onHead?.(this.chainId, ref)
  }

  /** A fetched block that does not link to its cached neighbours means the cache straddles a reorg. */
  #checkNeighbours(b: BlockData): void {
    const parent = this.#blocks.peek(b.number - 1n)
    const child = this.#blocks.peek(b.number + 1n)
    const broken =
      (parent instanceof BlockData && parent.hash !== b.ref.parentHash) ||
      (child instanceof BlockData && child.ref.parentHash !== b.hash)
    if (broken) {
      this.#reorged(this.#head, b.ref)
      this.#blocks.set(b.number, b)
    }
  }

  #reorged(from: BlockRef | undefined, to: BlockRef): void {
    this.#blocks.clear()
    this.#tags.clear()
    this.#opts.logger.info(
      {
        chainId: String(this.chainId),
        from: from && { number: String(from.number), hash: from.hash },
        to: { number: String(to.number), hash: to.hash },
      },
      'reorg detected, cache dropped',
    )
    this.#opts.onReorg?.(this.chainId, from, to)
  }

  async #call<T>(method: string, params: unknown[]): Promise<T> {
    try {
      const out = await this.#limit(() => this.#client.request({ method: method as never, params: params as never }))
      this.#opts.onRequest?.(this.chainId, method, true)
      return out as T
    } catch (err) {
      this.#opts.onRequest?.(this.chainId, method, false)
      const reason = err instanceof LimiterFullError ? 'too many requests queued' : upstreamText(err)
      throw new UpstreamUnavailableError(this.chainId, `${method}: ${reason}`, err)
    }
  }
}

/** viem's summary with the endpoint's own words (its `details`: the node's error message, the HTTP status), for the log. */
function upstreamText(err: unknown): string {
  const e = err as { shortMessage?: string; details?: string; message?: string }
  if (!e.shortMessage) return String(e.message ?? err)
  return e.details && e.details !== e.shortMessage ? `${e.shortMessage} (${e.details})` : e.shortMessage
}

/** viem's own default bound on a response body (10 MiB), kept for the check backend's calls. */
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024

/** A viem client for one chain's RPC: each request, body included, bounded by the timeout; no retries (the caller retries). */
export function rpcClient(url: string, timeoutMs: number): PublicClient {
  return createPublicClient({
    transport: http(url, {
      timeout: timeoutMs,
      retryCount: 0,
      maxResponseBodySize: false,
      fetchFn: boundedFetch(MAX_RESPONSE_BYTES, timeoutMs),
    }),
  })
}

function toRef(raw: RawBlock): BlockRef {
  return {
    number: BigInt(raw.number!),
    hash: raw.hash!.toLowerCase() as Hex,
    parentHash: raw.parentHash.toLowerCase() as Hex,
    timestamp: BigInt(raw.timestamp),
  }
}
