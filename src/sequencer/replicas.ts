import type { Logger } from 'pino'
import { newPayloadRequest } from '../engine/newPayload.js'
import type { ForkchoiceStateV1, Hex } from '../engine/types.js'
import type { EngineVersion } from '../pbs/index.js'
import { RpcClient } from '../rpc/client.js'
import type { Endpoint } from '../rpc/endpoint.js'
import { backoffMs, FailureLog } from '../util/failureLog.js'
import type { SequencerEvents } from './events.js'
import type { PayloadEnvelope } from './pbsCore.js'

/** A block as it is published: the envelope, its engine version and the forkchoice state that makes it head. */
export type PublishedBlock = {
  env: PayloadEnvelope
  version: EngineVersion
  state: ForkchoiceStateV1
  number: bigint
  hash: Hex
}

/**
 * The newest `capacity` blocks we sealed, by number: what a replica that fell behind is sent again
 * (engine-sim, like a replica cut off from its peers, never fetches missing blocks itself). Bounded
 * by count; the envelopes are the ones already held for publication, so a replica that is current
 * costs nothing extra.
 */
export class RecentBlocks {
  readonly capacity: number
  readonly #byNumber = new Map<bigint, PublishedBlock>()

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity)
  }

  add(env: PayloadEnvelope, version: EngineVersion, state: ForkchoiceStateV1): PublishedBlock {
    const p = env.executionPayload
    const b: PublishedBlock = { env, version, state, number: BigInt(p.blockNumber), hash: p.blockHash }
    // A block at a number we had (a reorg of our own head) replaces it and everything after it.
    for (const n of this.#byNumber.keys()) if (n >= b.number) this.#byNumber.delete(n)
    // A block that does not build on the one we hold below it (leadership came back to us after
    // another leader sealed blocks, or we rebuilt below what we hold): what we hold is no ancestor
    // of it, and resending it would take a replica back to it. The blocks stay contiguous.
    const parent = this.#byNumber.get(b.number - 1n)
    if (!parent || parent.hash.toLowerCase() !== p.parentHash.toLowerCase()) this.#byNumber.clear()
    this.#byNumber.set(b.number, b)
    for (const n of this.#byNumber.keys()) {
      if (this.#byNumber.size <= this.capacity) break
      this.#byNumber.delete(n)
    }
    return b
  }

  get(n: bigint): PublishedBlock | undefined {
    return this.#byNumber.get(n)
  }

  /** The oldest block number held (they are contiguous up to the newest), or undefined when none is. */
  oldest(): bigint | undefined {
    let min: bigint | undefined
    for (const n of this.#byNumber.keys()) if (min === undefined || n < min) min = n
    return min
  }
}

export type ReplicaState = 'ok' | 'lagging' | 'stranded'

/** What /healthz and the metrics say about one replica. */
export type ReplicaStatus = {
  replica: string
  /** The newest of our blocks the replica took (newPayload VALID + forkchoice update), if any yet. */
  head: number | null
  /** Our newest block minus its head. */
  lagBlocks: number
  /** ok; lagging (2+ blocks behind or failing); stranded (it lacks blocks older than the backlog). */
  status: ReplicaState
  consecutiveFailures: number
  lastError?: string
}

/** Where blocks older than RecentBlocks come from (our own engine: engineBlockSource.ts). */
export type BlockSource = {
  hashAt(n: bigint): Promise<Hex | undefined>
  block(n: bigint): Promise<PublishedBlock | undefined>
}

export type ReplicaPublisherOptions = {
  timeoutMs: number
  /**
   * Blocks we do not hold (sealed before the backlog, or by another leader): with it, a replica that
   * restarted empty or parts from us further back is repaired from genesis instead of stranded.
   */
  source?: BlockSource
  log: Logger
  recent: RecentBlocks
  events?: SequencerEvents
  /** Repeated failures log once per this interval, with a count (default 10 s). */
  failureLogIntervalMs?: number
  /** Retry delay after the first failure, doubling up to `retryMaxMs` (jittered; defaults 100 ms, 2 s). */
  retryBaseMs?: number
  retryMaxMs?: number
}

/**
 * Publishes blocks to one replica engine: engine_newPayload then engine_forkchoiceUpdatedV3, in
 * block order on a loop of its own, so a slow or dead replica delays nobody but itself. The
 * replica's position is tracked (the last block it took): a block it did not take stays owed and is
 * sent again, in order, after a jittered backoff; a replica that answers SYNCING (it lacks the
 * parent: restarted, or fed elsewhere) is asked for its head and sent the blocks after it (after
 * where its chain parts from ours, when its head is on another fork). Blocks
 * older than the backlog (`RecentBlocks`) cannot be resent: the replica is then reported stranded
 * (it must sync from a peer or a snapshot) and its head is polled until it is within reach again.
 */
export class ReplicaPublisher {
  readonly url: string
  readonly name: string
  readonly #rpc: RpcClient
  readonly #o: ReplicaPublisherOptions
  readonly #failures: FailureLog
  readonly #waiters = new Map<bigint, ((ok: boolean) => void)[]>()
  /** The next block number the replica needs from us (undefined until the first block). */
  #next: bigint | undefined
  #tip = -1n
  #head: bigint | undefined
  #stranded = false
  #lastError: string | undefined
  #draining: Promise<void> | undefined
  #closed = false
  #wake: (() => void) | undefined
  #timer: NodeJS.Timeout | undefined

  constructor(ep: Endpoint, o: ReplicaPublisherOptions) {
    this.url = ep.url
    this.name = ep.name ?? new URL(ep.url).host
    this.#rpc = new RpcClient(ep.url, { timeoutMs: o.timeoutMs, ...(ep.jwtSecret ? { jwtSecret: ep.jwtSecret } : {}) })
    this.#o = o
    this.#failures = new FailureLog(
      o.log.child({ replica: this.name }),
      'replica publish failed',
      o.failureLogIntervalMs ?? 10_000,
    )
  }

  /**
   * Owes `b` (and anything before it the replica still lacks) to the replica. Resolves true once the
   * replica took it, false if the attempt that reached it failed (it stays owed and is resent).
   */
  publish(b: PublishedBlock): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false)
    // Its parent is not a block we hold (RecentBlocks, added to just before, keeps a chain ending at
    // it): another leader's blocks came between (we lead again after following). Where the replica
    // stands is then unknown, and what we still owed it from before is not on this chain: start at
    // this block as at the first one. Resending our old position onwards (forkchoice head = each of
    // those blocks) walked every replica's head back to where it was when we last led, minutes of
    // blocks, and then forward one block per round trip (the supervisors indexing them saw heads
    // minutes old). A block we rebuilt below our tip has its parent held: owed blocks before it stay owed.
    const parentHeld = this.#o.recent.get(b.number - 1n)?.hash.toLowerCase() === this.#parentOf(b)
    if (this.#next !== undefined && !parentHeld && this.#next < b.number) {
      // Callers waiting on blocks before this one: they were not sent (the replica got them elsewhere, or never will).
      this.#answer(b.number - 1n, false)
      this.#next = b.number
    }
    this.#tip = b.number
    // The first block: assume the replica has its parent (SYNCING says otherwise).
    if (this.#next === undefined || this.#next > b.number) this.#next = b.number
    const p = new Promise<boolean>((resolve) => {
      const list = this.#waiters.get(b.number) ?? []
      list.push(resolve)
      this.#waiters.set(b.number, list)
    })
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined
    })
    return p
  }

  status(): ReplicaStatus {
    const lag =
      this.#tip < 0n ? 0 : Number(this.#tip - (this.#head ?? (this.#next === undefined ? this.#tip : this.#next - 1n)))
    const consecutive = this.#failures.consecutive
    const status: ReplicaState = this.#stranded ? 'stranded' : lag >= 2 || consecutive > 0 ? 'lagging' : 'ok'
    return {
      replica: this.name,
      head: this.#head === undefined ? null : Number(this.#head),
      lagBlocks: Math.max(0, lag),
      status,
      consecutiveFailures: consecutive,
      ...(this.#lastError !== undefined && consecutive > 0 ? { lastError: this.#lastError } : {}),
    }
  }

  async #drain(): Promise<void> {
    while (!this.#closed && this.#next !== undefined && this.#next <= this.#tip) {
      try {
        const b = this.#o.recent.get(this.#next) ?? (await this.#fromSource(this.#next))
        if (!b) await this.#resync()
        else await this.#send(b)
      } catch (err) {
        if (this.#closed) return
        this.#lastError = (err as Error).message
        this.#failures.failure(err, { lagBlocks: this.status().lagBlocks, next: Number(this.#next) })
        this.#o.events?.emit('replica', { replica: this.name, outcome: 'failed' })
        // Everything owed so far was not taken on this pass; it stays owed.
        this.#answer(this.#tip, false)
        await this.#sleep(backoffMs(this.#failures.consecutive, this.#o.retryBaseMs ?? 100, this.#o.retryMaxMs ?? 2000))
      }
    }
  }

  /** newPayload + forkchoice update for `b`; on SYNCING, moves `#next` back to what the replica lacks. */
  async #send(b: PublishedBlock): Promise<void> {
    const st = await this.#rpc.call<{ status?: string; validationError?: string | null }>(
      ...newPayloadRequest(b.version, b.env),
    )
    if (st?.status === 'SYNCING' || st?.status === 'ACCEPTED') {
      // It lacks the parent: start again after the newest block of ours it holds, which is its head only
      // if that head is on our chain (a previous leader's or our own replaced unsafe blocks are not).
      const h = await this.#replicaHead()
      if (!h) {
        this.#next = b.number > 0n ? b.number - 1n : 0n
        throw new Error(
          `newPayload ${st.status} for block ${b.number}: the replica lacks its parent (its head: unknown)`,
        )
      }
      const parted = await this.#lastShared(h, b.number - 1n)
      if (parted === undefined) {
        // Where it parts from us is older than every block we hold: only a peer or a snapshot can repair it.
        // `#next` then names a block not held, so the next passes poll its head (`#resync`).
        this.#stranded = true
        const oldest = this.#o.recent.oldest() ?? b.number
        this.#next = oldest > 0n ? oldest - 1n : 0n
        throw new Error(
          `the replica's head ${h.number} (${h.hash}) is on another chain that parts from ours before the last ${this.#o.recent.capacity} blocks held (--replica-backlog): it must sync from a peer`,
        )
      }
      this.#next = parted + 1n
      throw new Error(
        parted === h.number
          ? `newPayload ${st.status} for block ${b.number}: the replica lacks its parent (its head: ${h.number})`
          : parted === b.number - 1n
            ? `newPayload ${st.status} for block ${b.number} though the replica holds its parent (its head: ${h.number})`
            : `newPayload ${st.status} for block ${b.number}: the replica's head ${h.number} (${h.hash}) is not on our chain; resending from block ${parted + 1n}, where it parts`,
      )
    }
    if (st?.status !== 'VALID')
      throw new Error(
        `newPayload ${st?.status ?? 'no status'} for block ${b.number}${st?.validationError ? `: ${st.validationError}` : ''}`,
      )
    // Only the newest block owed moves the replica's head; earlier ones only need inserting.
    const state = b.number === this.#tip ? b.state : { ...b.state, headBlockHash: b.hash }
    const fcu = await this.#rpc.call<{ payloadStatus?: { status?: string } }>('engine_forkchoiceUpdatedV3', [
      state,
      null,
    ])
    if (fcu?.payloadStatus?.status !== 'VALID')
      throw new Error(`forkchoiceUpdated ${fcu?.payloadStatus?.status ?? 'no status'} for block ${b.number}`)
    this.#head = b.number
    this.#next = b.number + 1n
    this.#stranded = false
    this.#failures.success({ head: Number(b.number), lagBlocks: Number(this.#tip - b.number) })
    this.#o.events?.emit('replica', { replica: this.name, outcome: 'taken', number: b.number })
    this.#answer(b.number, true)
  }

  /**
   * The newest height at most `top` at which the replica holds our block (its block there is the
   * parent of our next one), found with O(log backlog) reads of its blocks (at most 9 for the default 128);
   * undefined when that lies before the blocks we hold. The shared blocks are a prefix of both chains,
   * so the test is monotone in the height and a binary search finds where they part.
   */
  async #lastShared(head: { number: bigint; hash: Hex }, top: bigint): Promise<bigint | undefined> {
    const oldest = this.#o.recent.oldest()
    if (top > head.number) top = head.number
    // With a source every height down to genesis can be compared; without one, only those we hold.
    const floor = this.#o.source ? 0n : oldest === undefined ? undefined : oldest - 1n
    if (floor === undefined || top < floor) return undefined
    const ours = async (n: bigint): Promise<Hex | undefined> =>
      this.#o.recent.get(n + 1n)?.env.executionPayload.parentHash ??
      this.#o.recent.get(n)?.hash ??
      (await this.#o.source?.hashAt(n).catch(() => undefined))
    const shared = async (n: bigint): Promise<boolean> => {
      const mine = await ours(n)
      if (!mine) return false
      const hash = n === head.number ? head.hash : (await this.#replicaBlock(`0x${n.toString(16)}`))?.hash
      return hash?.toLowerCase() === mine.toLowerCase()
    }
    if (await shared(top)) return top
    let lo = floor
    if (!(await shared(lo))) return undefined
    let hi = top // shared(lo) holds, shared(hi) does not
    while (hi - lo > 1n) {
      const mid = (lo + hi) / 2n
      if (await shared(mid)) lo = mid
      else hi = mid
    }
    return lo
  }

  #parentOf(b: PublishedBlock): string {
    return b.env.executionPayload.parentHash.toLowerCase()
  }

  /** Tells the callers waiting on blocks up to `upTo` whether the replica took them. */
  #answer(upTo: bigint, ok: boolean): void {
    for (const [n, list] of this.#waiters)
      if (n <= upTo) {
        this.#waiters.delete(n)
        for (const r of list) r(ok)
      }
  }

  /**
   * Block `n` from the source (older than the blocks we hold); undefined without one, or when the
   * source cannot give it (an engine without engine_getPayloadBodiesByRangeV1): then the replica is
   * reported stranded, as without a source.
   */
  async #fromSource(n: bigint): Promise<PublishedBlock | undefined> {
    return this.#o.source?.block(n).catch(() => undefined)
  }

  /** The block we owe is no longer held: see whether the replica got further meanwhile (from a peer). */
  async #resync(): Promise<void> {
    const h = await this.#replicaHead()
    const child = h && this.#o.recent.get(h.number + 1n)
    const ours = h && this.#o.recent.get(h.number)
    // Within reach again: the block after its head is one we hold and builds on it, or its head is our tip.
    const onOurChain =
      h &&
      (child
        ? child.env.executionPayload.parentHash.toLowerCase() === h.hash.toLowerCase()
        : h.number === this.#tip && ours?.hash.toLowerCase() === h.hash.toLowerCase())
    if (h && h.number + 1n > this.#next! && onOurChain) {
      this.#next = h.number + 1n
      this.#head = h.number
      this.#stranded = false
      if (h.number >= this.#tip) this.#failures.success({ head: Number(h.number), lagBlocks: 0 })
      // It holds every block up to its head (got from a peer): their callers would otherwise wait forever.
      this.#answer(h.number, true)
      return
    }
    this.#stranded = true
    throw new Error(
      `the replica needs block ${this.#next} (its head: ${h?.number ?? 'unknown'}), older than the last ${this.#o.recent.capacity} blocks held (--replica-backlog): it must sync from a peer`,
    )
  }

  #replicaHead(): Promise<{ number: bigint; hash: Hex } | undefined> {
    return this.#replicaBlock('latest')
  }

  async #replicaBlock(tag: string): Promise<{ number: bigint; hash: Hex } | undefined> {
    const b = await this.#rpc.call<{ number?: Hex; hash?: Hex } | null>('eth_getBlockByNumber', [tag, false])
    return b?.number && b.hash ? { number: BigInt(b.number), hash: b.hash } : undefined
  }

  #sleep(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve()
    return new Promise((resolve) => {
      this.#wake = resolve
      this.#timer = setTimeout(resolve, ms)
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#wake?.()
    // Cuts a call in flight to a hung replica instead of waiting out its timeout.
    this.#rpc.close()
    await this.#draining
    for (const list of this.#waiters.values()) for (const r of list) r(false)
    this.#waiters.clear()
  }
}
