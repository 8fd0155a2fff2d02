import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { Hex } from '../interop/index.js'
import type { RpcClient } from '../rpc/client.js'
import type { SweepTx } from './planRound.js'
import type { SweepPool } from './pool.js'
import type { TxpoolResult } from './protocol.js'
import type { Collected } from './sweepSource.js'

/** How a round read the pool, and what it cost (ms). */
export type ReadStats = {
  /** full = txpool_content; incremental = filter changes + the new transactions by hash. */
  how: 'full' | 'incremental'
  /**
   * Why a round read in full: the first read, --txpool-read full (configured), a client without
   * filters (unsupported), a filter the client forgot (filter-lost), counts that disagree with
   * txpool_status (count-mismatch), reset() (forced).
   */
  why?: 'start' | 'configured' | 'unsupported' | 'filter-lost' | 'count-mismatch' | 'forced'
  /** Transactions new to the reader, and gone from it (included in a block, dropped, or no longer listed). */
  added: number
  removed: number
  /** Network (request until the answer's bytes are in), and JSON.parse + digest (worker) + unpacking (here). */
  readMs: number
  parseMs: number
}

export type TxpoolReaderOptions = {
  url: string
  client: RpcClient
  pool: Pick<SweepPool, 'txpool'>
  timeoutMs: number
  maxResponseBytes: number
  /** false: txpool_content every round (--txpool-read full). */
  incremental: boolean
  now?: () => number
}

/** Rounds in a row whose pool count disagrees with txpool_status before a full read settles it. */
const MISMATCH_ROUNDS = 2

/**
 * An execution client's pool, kept between rounds. The first round reads txpool_content (on a
 * worker). Where the client serves filters (geth, reth, anvil: eth_newPendingTransactionFilter,
 * eth_newBlockFilter; engine-sim has none, nor has any client behind proxyd's default method list),
 * later rounds read only what changed: one batch of [new pending hashes, new block hashes,
 * txpool_status], the new blocks' transaction hashes (they leave), and the new transactions by hash
 * (on a worker). What no filter reports (a transaction replaced or evicted by the client, an
 * executing-chain reorg putting transactions back) shows as a count that disagrees with
 * txpool_status: more held here than the client lists reads in full in the same round; fewer,
 * MISMATCH_ROUNDS rounds in a row (one may be a transaction arriving between the calls), makes the
 * next round read in full.
 */
export class TxpoolReader {
  readonly #o: TxpoolReaderOptions
  /** Interop transactions listed, with their first-seen time, in arrival order. */
  #interop = new Map<Hex, SweepTx>()
  /** Every other listed transaction: only counted against txpool_status. */
  #others = new Set<Hex>()
  #skipped = 0
  #filters: { pending: string; blocks: string } | undefined
  #unsupported = false
  #mismatches = 0
  #next: ReadStats['why'] | undefined = 'start'

  constructor(opts: TxpoolReaderOptions) {
    this.#o = opts
  }

  async read(signal?: AbortSignal): Promise<Collected & { read: ReadStats }> {
    if (this.#next === undefined && this.#filters) {
      const r = await this.#incremental(signal)
      if (r) return r
    }
    return this.#full(signal)
  }

  /** Forgets transactions this sweep dropped from the pool. */
  forget(hashes: Iterable<Hex>): void {
    for (const h of hashes) this.#interop.delete(h) || this.#others.delete(h)
  }

  /** The next read is a full one (e.g. after the pool was replaced). */
  reset(): void {
    this.#next = 'forced'
  }

  async #full(signal?: AbortSignal): Promise<Collected & { read: ReadStats }> {
    const why = this.#next ?? 'forced'
    const t0 = performance.now()
    // Filters first: what arrives while the content is read shows in the next round's changes.
    if (this.#o.incremental && !this.#unsupported) await this.#install(signal)
    const r = await this.#o.pool.txpool(this.#task(), signal)
    const wall = performance.now() - t0
    const t1 = performance.now()
    const before = this.#interop.size + this.#others.size
    const old = { interop: this.#interop, others: this.#others }
    this.#interop = new Map()
    this.#others = new Set()
    this.#skipped = r.skipped
    const added = await this.#merge(r, old, signal)
    this.#next = undefined
    this.#mismatches = 0
    return {
      txs: [...this.#interop.values()],
      total: r.total,
      skipped: r.skipped,
      read: {
        how: 'full',
        why: !this.#o.incremental ? 'configured' : this.#unsupported && why !== 'start' ? 'unsupported' : why,
        added,
        removed: Math.max(0, before + added - (this.#interop.size + this.#others.size)),
        readMs: wall - r.parseMs,
        parseMs: r.parseMs + (performance.now() - t1),
      },
    }
  }

  /** One round of filter changes; undefined when a filter is gone (the caller reads in full). */
  async #incremental(signal?: AbortSignal): Promise<(Collected & { read: ReadStats }) | undefined> {
    const f = this.#filters!
    const c = this.#o.client
    const t0 = performance.now()
    const [pending, blocks, status] = await c.batch(
      [
        { method: 'eth_getFilterChanges', params: [f.pending] },
        { method: 'eth_getFilterChanges', params: [f.blocks] },
        { method: 'txpool_status' },
      ],
      signal,
    )
    if (!pending!.ok || !blocks!.ok || !Array.isArray(pending!.result) || !Array.isArray(blocks!.result)) {
      // Filters expire on the client after ~5 min unread (geth) or with a restart: read in full.
      this.#filters = undefined
      this.#next = 'filter-lost'
      return undefined
    }
    let removed = 0
    const blockHashes = (blocks!.result as unknown[]).filter((h): h is string => typeof h === 'string')
    if (blockHashes.length > 0) {
      const got = await c.batch(
        blockHashes.map((h) => ({ method: 'eth_getBlockByHash', params: [h, false] })),
        signal,
      )
      for (const b of got) {
        const txs = b.ok ? (b.result as { transactions?: unknown } | null)?.transactions : undefined
        if (!Array.isArray(txs)) continue
        for (const h of txs) {
          if (typeof h !== 'string') continue
          const k = h.toLowerCase() as Hex
          if (this.#interop.delete(k) || this.#others.delete(k)) removed++
        }
      }
    }
    const fresh: string[] = []
    for (const h of pending!.result as unknown[]) {
      if (typeof h !== 'string') continue
      const k = h.toLowerCase() as Hex
      if (!this.#interop.has(k) && !this.#others.has(k)) fresh.push(k)
    }
    let readMs = performance.now() - t0
    let parseMs = 0
    let added = 0
    if (fresh.length > 0) {
      const t1 = performance.now()
      const r = await this.#o.pool.txpool({ ...this.#task(), hashes: fresh }, signal)
      readMs += performance.now() - t1 - r.parseMs
      const t2 = performance.now()
      this.#skipped += r.skipped
      added = await this.#merge(r, undefined, signal)
      parseMs = r.parseMs + (performance.now() - t2)
    }
    if (status!.ok) {
      const s = status!.result as { pending?: unknown; queued?: unknown } | null
      const listed = Number(s?.pending ?? Number.NaN) + Number(s?.queued ?? Number.NaN)
      const held = this.#interop.size + this.#others.size + this.#skipped
      if (held > listed) {
        // We list transactions the client no longer holds (dropped, replaced, evicted by another
        // sweep): this round reads in full, so none of them is checked or acted on again.
        this.#next = 'count-mismatch'
        return undefined
      }
      if (listed === held) this.#mismatches = 0
      else if (++this.#mismatches >= MISMATCH_ROUNDS) this.#next = 'count-mismatch'
    }
    return {
      txs: [...this.#interop.values()],
      total: this.#interop.size + this.#others.size + this.#skipped,
      skipped: this.#skipped,
      read: { how: 'incremental', added, removed, readMs, parseMs },
    }
  }

  /** New filters for the next rounds (the old ones uninstalled); a client without them is not asked again. */
  async #install(signal?: AbortSignal): Promise<void> {
    const c = this.#o.client
    const old = this.#filters
    this.#filters = undefined
    if (old)
      await c
        .batch(
          [old.pending, old.blocks].map((id) => ({ method: 'eth_uninstallFilter', params: [id] })),
          signal,
        )
        .catch(() => {})
    let answers: Awaited<ReturnType<RpcClient['batch']>>
    try {
      answers = await c.batch([{ method: 'eth_newPendingTransactionFilter' }, { method: 'eth_newBlockFilter' }], signal)
    } catch {
      // An endpoint that refuses batches or answers them in another shape (a bare txpool_content
      // server, a proxy) reads in full every round; only the sweep closing stops the round here.
      signal?.throwIfAborted()
      this.#unsupported = true
      return
    }
    const [p, b] = answers
    if (p?.ok && b?.ok && typeof p.result === 'string' && typeof b.result === 'string')
      this.#filters = { pending: p.result, blocks: b.result }
    else this.#unsupported = true
  }

  #task() {
    return { url: this.#o.url, timeoutMs: this.#o.timeoutMs, maxResponseBytes: this.#o.maxResponseBytes }
  }

  /**
   * Adds a worker's answer, in slices (100k transactions unpack in ~100 ms). First-seen times
   * carry over from `old` (a full read), else start now. Returns how many were new.
   */
  async #merge(
    r: TxpoolResult,
    old: { interop: Map<Hex, SweepTx>; others: Set<Hex> } | undefined,
    signal?: AbortSignal,
  ): Promise<number> {
    const now = (this.#o.now ?? Date.now)()
    const hashes = Buffer.from(r.hashes)
    const entries = Buffer.from(r.entries)
    const all = Buffer.from(r.all)
    const malformed = new Map(r.malformed)
    let added = 0
    let e = 0
    let slice = performance.now()
    for (let i = 0; i < r.counts.length; i++) {
      if ((i & 1023) === 1023 && performance.now() - slice > 4) {
        await yieldToLoop()
        signal?.throwIfAborted()
        slice = performance.now()
      }
      const hash = `0x${hashes.toString('hex', i * 32, i * 32 + 32)}` as Hex
      const n = r.counts[i]!
      const list: string[] = malformed.get(i) ?? new Array<string>(n)
      for (let k = 0; k < n; k++, e++) list[k] = `0x${entries.toString('hex', e * 32, e * 32 + 32)}`
      const prev = old?.interop.get(hash)
      if (!prev && !old?.others.has(hash)) added++
      this.#interop.set(hash, { hash, inboxEntries: list, firstSeen: prev?.firstSeen ?? now })
    }
    for (let i = 0; i < all.length; i += 32) {
      const hash = `0x${all.toString('hex', i, i + 32)}` as Hex
      if (this.#interop.has(hash) || this.#others.has(hash)) continue
      this.#others.add(hash)
      if (!old?.interop.has(hash) && !old?.others.has(hash)) added++
    }
    return added
  }
}
