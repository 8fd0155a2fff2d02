import { EXPIRY_WINDOW_S, type Hex } from '../interop/index.js'
import type { SweepTx } from './planRound.js'
import { NEXT_BLOCK_S } from './roundDescriptor.js'
import type { TxVerdict } from './sweepReport.js'

/** What a round did with the cache. */
export type CacheStats = {
  /** Transactions answered from the cache (not re-checked). */
  hits: number
  /** Transactions checked this round (not cached, or invalidated). */
  misses: number
  /** Entries dropped this round, by why: a reorg under a source block it reads, age (ttl or message expiry), left the pool. */
  invalidated: { reorg: number; expired: number; gone: number }
}

type Entry = {
  verdict: TxVerdict
  /** Epoch ms after which the entry is not used. */
  expiresAt: number
  /** Round in which it was last listed by the source. */
  seen: number
}

/**
 * Definitive verdicts of transactions already checked, keyed by transaction hash (the hash commits
 * to the access list, so it names the accesses too). Only `valid` and `evict` verdicts are kept: a
 * `keep` (not yet indexed, supervisor down, timeout) is asked again every round. An entry ends:
 *  - when a source block it reads changed hash (the round's ReorgWatch says which), whatever its
 *    age; a transaction with a source block the watch has not read yet is not answered from here;
 *  - `ttlMs` after it was checked, so every verdict is re-asked at least that often;
 *  - for a valid one, when the oldest of its messages would fail the round descriptor's expiry
 *    check (initiating timestamp + 7 days < now + next block + window);
 *  - when the transaction is no longer listed by the source.
 */
export class VerdictCache {
  readonly ttlMs: number
  readonly #entries = new Map<Hex, Entry>()
  #round = 0

  constructor(opts: { ttlMs: number }) {
    this.ttlMs = opts.ttlMs
  }

  get size(): number {
    return this.#entries.size
  }

  has(hash: Hex): boolean {
    return this.#entries.has(hash)
  }

  /** Begins a round: what is not looked up (get) from now to forgetUnseen goes then. */
  beginRound(): void {
    this.#round++
  }

  /** Drops one entry (a source block under it reorged); true if there was one. */
  delete(hash: Hex): boolean {
    return this.#entries.delete(hash)
  }

  /** The cached verdict of `tx` at `now`, or undefined (`expired` tells apart an entry that aged out). */
  get(tx: SweepTx, now: number): { verdict?: TxVerdict; expired: boolean } {
    const e = this.#entries.get(tx.hash)
    if (!e) return { expired: false }
    if (now > e.expiresAt) {
      this.#entries.delete(tx.hash)
      return { expired: true }
    }
    e.seen = this.#round
    return { verdict: e.verdict, expired: false }
  }

  /** Keeps a definitive verdict of this round. */
  set(tx: SweepTx, verdict: TxVerdict, now: number, windowMs: number): void {
    if (verdict.action === 'keep' || this.ttlMs <= 0) return
    let expiresAt = now + this.ttlMs
    if (verdict.action === 'valid') {
      const until = validUntil(tx.inboxEntries, windowMs)
      if (until < expiresAt) expiresAt = until
    }
    this.#entries.set(tx.hash, { verdict, expiresAt, seen: this.#round })
  }

  /** Ends a round: entries of transactions the source no longer lists go (returns how many). */
  forgetUnseen(): number {
    let n = 0
    for (const [hash, e] of this.#entries)
      if (e.seen !== this.#round) {
        this.#entries.delete(hash)
        n++
      }
    return n
  }

  /** Keeps an entry through this round's forgetUnseen without using it. */
  touch(hash: Hex): void {
    const e = this.#entries.get(hash)
    if (e) e.seen = this.#round
  }

  clear(): void {
    this.#entries.clear()
  }
}

const LOOKUP_TYPE = '01'

/**
 * Epoch ms until which every message of `entries` passes a round's expiry check: a round at `now`
 * asks timestamp + timeout ≤ initiating timestamp + 7 days with timestamp = now + 2 s and timeout
 * = the window (roundDescriptor.ts).
 */
function validUntil(entries: readonly string[], windowMs: number): number {
  let until = Number.POSITIVE_INFINITY
  const slack = Number(EXPIRY_WINDOW_S - NEXT_BLOCK_S) * 1000 - windowMs
  for (const e of entries) {
    if (e.length !== 66 || e.slice(2, 4) !== LOOKUP_TYPE) continue
    const at = Number.parseInt(e.slice(42, 58), 16) * 1000 + slack
    if (at < until) until = at
  }
  return until
}
