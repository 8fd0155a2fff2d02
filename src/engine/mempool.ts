import type { DecodedTx } from './decodeTx.js'
import { TxRejectedError } from './errors.js'
import { effectiveTip, txGasUsed } from './execution.js'
import { DEPOSIT_TX_TYPE } from './txType.js'
import type { Hex } from './types.js'

export type PoolTx = DecodedTx & { from: Hex; seq: number }

/**
 * A geth-like transaction pool without state: transactions per sender by nonce; "pending" is the
 * gap-free run from the sender's next nonce (learned from included transactions, else its lowest
 * pooled nonce), the rest is "queued". Same sender+nonce replaces only with a 10% fee bump.
 * Not modelled: balances, and nonces of senders whose transactions reached the chain from elsewhere
 * (includedByNonce learns them from a block's transaction objects).
 * One pool for engine-sim and the reference builder; admission before it is admitTx.ts.
 */
export class Mempool {
  #byHash = new Map<string, PoolTx>()
  #bySender = new Map<string, Map<bigint, PoolTx>>()
  #nextNonce = new Map<string, bigint>()
  #seq = 0
  #version = 0
  #listeners = new Set<() => void>()
  readonly limit: number

  constructor(limit: number) {
    this.limit = limit
  }

  get size(): number {
    return this.#byHash.size
  }

  has(hash: string): boolean {
    return this.#byHash.has(hash.toLowerCase())
  }

  get(hash: string): PoolTx | undefined {
    return this.#byHash.get(hash.toLowerCase())
  }

  /** Changes on every change, so a build loop knows when to rebuild. */
  get version(): number {
    return this.#version
  }

  /** Every pooled transaction, oldest first. */
  entries(): PoolTx[] {
    return [...this.#byHash.values()]
  }

  /** Called on every change (a build loop wakes up on new transactions); returns the unsubscribe. */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }

  /** Adds a decoded, sender-recovered transaction; throws TxRejectedError with geth's wording. */
  add(tx: DecodedTx, from: Hex): PoolTx {
    if (this.#byHash.has(tx.hash)) throw new TxRejectedError('already known')
    const sender = from.toLowerCase()
    const next = this.#nextNonce.get(sender)
    if (next !== undefined && tx.nonce < next)
      throw new TxRejectedError(`nonce too low: next nonce ${next}, tx nonce ${tx.nonce}`)
    let txs = this.#bySender.get(sender)
    const old = txs?.get(tx.nonce)
    if (old) {
      const bumped = (v: bigint) => (v * 110n) / 100n
      if (tx.maxFeePerGas < bumped(old.maxFeePerGas) || tx.maxPriorityFeePerGas < bumped(old.maxPriorityFeePerGas))
        throw new TxRejectedError('replacement transaction underpriced')
      this.#byHash.delete(old.hash)
    } else if (this.#byHash.size >= this.limit) {
      throw new TxRejectedError('txpool is full')
    }
    const entry: PoolTx = { ...tx, from, seq: this.#seq++ }
    if (!txs) this.#bySender.set(sender, (txs = new Map()))
    txs.set(tx.nonce, entry)
    this.#byHash.set(tx.hash, entry)
    this.#changed()
    return entry
  }

  remove(hash: string): void {
    const tx = this.#byHash.get(hash.toLowerCase())
    if (!tx) return
    this.#drop(tx)
    this.#changed()
  }

  /** Drops transactions that a canonical block included and learns their senders' next nonces. */
  included(hashes: readonly Hex[]): void {
    for (const h of hashes) {
      const tx = this.#byHash.get(h)
      if (tx) this.#learn(tx.from, tx.nonce)
    }
    this.#dropBelowNext()
  }

  /**
   * The same from a block's transaction objects (eth_getBlockByNumber with full transactions):
   * also learns the next nonce of senders this pool never held, and drops their lower nonces.
   */
  includedByNonce(txs: readonly { hash: string; from?: string | null; nonce?: string | null }[]): void {
    const before = this.#byHash.size
    for (const t of txs) {
      const tx = this.#byHash.get(t.hash.toLowerCase())
      if (tx) this.#learn(tx.from, tx.nonce)
      if (t.from && t.nonce) this.#learn(t.from, BigInt(t.nonce))
    }
    this.#dropBelowNext(before)
  }

  /**
   * The sender's next nonce as its state says (engine-sim reads it at admission and on every new
   * head, so a reorg can lower it): the pending run starts there, lower nonces are dropped.
   */
  setNextNonce(from: string, next: bigint): void {
    const sender = from.toLowerCase()
    if (this.#nextNonce.get(sender) === next) return
    this.#nextNonce.set(sender, next)
    this.#dropBelowNext()
  }

  /** The senders with pooled transactions (lower-case), and each one's transactions by nonce. */
  senders(): IterableIterator<[string, ReadonlyMap<bigint, PoolTx>]> {
    return this.#bySender.entries()
  }

  ofSender(from: string): ReadonlyMap<bigint, PoolTx> | undefined {
    return this.#bySender.get(from.toLowerCase())
  }

  /** The sender's next nonce as the pool knows it (state or included blocks), undefined if never learnt. */
  nextNonceOf(from: string): bigint | undefined {
    return this.#nextNonce.get(from.toLowerCase())
  }

  #learn(from: string, nonce: bigint): void {
    const sender = from.toLowerCase()
    const next = this.#nextNonce.get(sender)
    if (next === undefined || nonce + 1n > next) this.#nextNonce.set(sender, nonce + 1n)
  }

  #dropBelowNext(before = this.#byHash.size): void {
    for (const [sender, next] of this.#nextNonce) {
      const txs = this.#bySender.get(sender)
      if (!txs) continue
      for (const [nonce, tx] of txs)
        if (nonce < next) {
          txs.delete(nonce)
          this.#byHash.delete(tx.hash)
        }
      if (txs.size === 0) this.#bySender.delete(sender)
    }
    if (this.#byHash.size !== before) this.#changed()
  }

  #drop(tx: PoolTx): void {
    const sender = tx.from.toLowerCase()
    const txs = this.#bySender.get(sender)
    if (txs?.get(tx.nonce) === tx) txs.delete(tx.nonce)
    if (txs?.size === 0) this.#bySender.delete(sender)
    this.#byHash.delete(tx.hash)
  }

  #changed(): void {
    this.#version++
    for (const fn of this.#listeners) fn()
  }

  /** Each sender's gap-free run of executable transactions, by nonce. */
  #pendingRuns(): PoolTx[][] {
    const runs: PoolTx[][] = []
    for (const [sender, txs] of this.#bySender) {
      const sorted = [...txs.values()].sort((a, b) => (a.nonce < b.nonce ? -1 : 1))
      let expect = this.#nextNonce.get(sender) ?? sorted[0]!.nonce
      const run: PoolTx[] = []
      for (const tx of sorted) {
        if (tx.nonce !== expect) break
        run.push(tx)
        expect++
      }
      if (run.length) runs.push(run)
    }
    return runs
  }

  /**
   * Transactions for a block, geth's price-and-nonce order: repeatedly the sender head with the
   * highest effective tip (earlier arrival on ties), nonces in order per sender. A sender whose
   * head does not fit the gas left or is below the base fee is dropped for this block.
   */
  select(baseFee: bigint, gasLeft: bigint, skip: ReadonlySet<string>): PoolTx[] {
    const runs = this.#pendingRuns().map((r) => r.filter((t) => !skip.has(t.hash)))
    const cursor = runs.map(() => 0)
    const out: PoolTx[] = []
    for (;;) {
      let best = -1
      let bestTip = 0n
      for (let i = 0; i < runs.length; i++) {
        const tx = runs[i]![cursor[i]!]
        if (!tx) continue
        const tip = effectiveTip(tx, baseFee)
        if (best === -1 || tip > bestTip || (tip === bestTip && tx.seq < runs[best]![cursor[best]!]!.seq)) {
          best = i
          bestTip = tip
        }
      }
      if (best === -1 || gasLeft < 21000n) return out
      const tx = runs[best]![cursor[best]!]!
      if (tx.type === DEPOSIT_TX_TYPE || tx.maxFeePerGas < baseFee || tx.gas > gasLeft) {
        cursor[best] = Infinity
        continue
      }
      out.push(tx)
      gasLeft -= txGasUsed(tx)
      cursor[best]!++
    }
  }

  /** geth's txpool_content grouping: {pending|queued: {sender: {nonce: tx}}}, via `format`. */
  content<T>(format: (tx: PoolTx) => T): {
    pending: Record<string, Record<string, T>>
    queued: Record<string, Record<string, T>>
  } {
    const pending: Record<string, Record<string, T>> = {}
    const queued: Record<string, Record<string, T>> = {}
    const inRun = new Set<string>()
    for (const run of this.#pendingRuns()) for (const tx of run) inRun.add(tx.hash)
    for (const txs of this.#bySender.values()) {
      for (const tx of [...txs.values()].sort((a, b) => (a.nonce < b.nonce ? -1 : 1))) {
        const group = inRun.has(tx.hash) ? pending : queued
        ;(group[tx.from] ??= {})[tx.nonce.toString()] = format(tx)
      }
    }
    return { pending, queued }
  }
}
