import type { DecodedTx } from '../engine/decodeTx.js'
import { TxRejectedError } from '../engine/errors.js'
import { effectiveTip } from '../engine/execution.js'
import type { Mempool, PoolTx } from '../engine/mempool.js'
import type { Hex } from '../engine/types.js'

/** geth's legacypool limits (`--txpool.pricelimit`, `.accountslots`, `.globalslots`, `.accountqueue`, `.globalqueue`). */
export type TxPoolLimits = {
  /** Least tip (gas tip cap; a legacy transaction's gas price) a transaction needs to enter, in wei. */
  priceLimit: bigint
  /** Pending transactions per account that a full pending set never cuts below. */
  accountSlots: number
  /** Pending (executable) slots of all accounts. */
  globalSlots: number
  /** Queued (nonce-gapped) transactions per account. */
  accountQueue: number
  /** Queued transactions of all accounts. */
  globalQueue: number
}

/** geth's DefaultConfig (core/txpool/legacypool): 1 wei, 16, 4096 + 1024, 64, 1024. */
export const GETH_TXPOOL_LIMITS: TxPoolLimits = {
  priceLimit: 1n,
  accountSlots: 16,
  globalSlots: 4096 + 1024,
  accountQueue: 64,
  globalQueue: 1024,
}

/** geth's txSlotSize: a transaction takes one slot per started 32 KiB of its encoding. */
const SLOT_BYTES = 32 * 1024
export const numSlots = (tx: DecodedTx): number => Math.max(1, Math.ceil((tx.raw.length - 2) / 2 / SLOT_BYTES))

/** geth's priceHeap.cmp: effective tip at the base fee, then the fee cap, then the tip (< 0: `a` is cheaper). */
function cmpPrice(a: DecodedTx, b: DecodedTx, baseFee: bigint): number {
  const d = effectiveTip(a, baseFee) - effectiveTip(b, baseFee)
  if (d !== 0n) return d < 0n ? -1 : 1
  if (a.maxFeePerGas !== b.maxFeePerGas) return a.maxFeePerGas < b.maxFeePerGas ? -1 : 1
  if (a.maxPriorityFeePerGas !== b.maxPriorityFeePerGas) return a.maxPriorityFeePerGas < b.maxPriorityFeePerGas ? -1 : 1
  return 0
}

/** One sender's pooled transactions split as txpool_content splits them: the gap-free run from its next nonce, and the rest. */
function splitSender(pool: Mempool, sender: string): { pending: PoolTx[]; queued: PoolTx[] } {
  const txs = [...(pool.ofSender(sender)?.values() ?? [])].sort((a, b) => (a.nonce < b.nonce ? -1 : 1))
  let expect = pool.nextNonceOf(sender) ?? txs[0]?.nonce ?? 0n
  const pending: PoolTx[] = []
  const queued: PoolTx[] = []
  for (const tx of txs) {
    if (tx.nonce === expect && queued.length === 0) {
      pending.push(tx)
      expect++
    } else queued.push(tx)
  }
  return { pending, queued }
}

/** The nonce after the sender's pending run (geth's pendingNonces), or the tx's own when the pool knows nothing of it. */
function pendingNonce(pool: Mempool, from: Hex, fallback: bigint): bigint {
  const txs = pool.ofSender(from)
  let next = pool.nextNonceOf(from) ?? fallback
  while (txs?.has(next)) next++
  return next
}

/**
 * geth's legacypool capacity rules on engine-sim's pool: the full-pool check before a transaction
 * enters (LegacyPool.add), and after it entered or the head moved the caps its reorg loop applies
 * (queue.promoteExecutables' AccountQueue cap, truncatePending, truncateQueue). geth returns the
 * hash of a transaction that a cap then drops; so does engine-sim (the drop happens right after).
 */
export class TxPoolLimiter {
  readonly limits: TxPoolLimits
  readonly #pool: Mempool
  /** Transactions discarded for room since the last head change (geth's changesSinceReorg). */
  #changes = 0

  constructor(pool: Mempool, limits: TxPoolLimits) {
    this.#pool = pool
    this.limits = limits
  }

  /** A new head: geth's reorg run resets the room-making throttle. */
  headChanged(): void {
    this.#changes = 0
  }

  /**
   * Room for `tx` when all slots (GlobalSlots + GlobalQueue) are taken, as geth's add: a transaction
   * no better than the cheapest pooled one is `transaction underpriced`; else the cheapest ones are
   * discarded for it, unless more than GlobalSlots/4 were discarded since the last head change
   * (`txpool is full`) or a nonce-gapped transaction would push out a pending one (`future
   * transaction tries to replace pending`).
   */
  makeRoom(tx: DecodedTx, from: Hex, baseFee: bigint): void {
    const cap = this.limits.globalSlots + this.limits.globalQueue
    const n = numSlots(tx)
    let slots = 0
    for (const [, txs] of this.#pool.senders()) for (const t of txs.values()) slots += numSlots(t)
    if (slots + n <= cap) return
    const all = this.#pool.entries()
    all.sort((a, b) => cmpPrice(a, b, baseFee) || a.seq - b.seq)
    if (all[0] && cmpPrice(all[0], tx, baseFee) >= 0) throw new TxRejectedError('transaction underpriced')
    if (this.#changes > Math.floor(this.limits.globalSlots / 4)) throw new TxRejectedError('txpool is full')
    let need = slots - cap + n
    const drop: PoolTx[] = []
    for (const t of all) {
      if (need <= 0) break
      if (t.from.toLowerCase() === from.toLowerCase() && t.nonce === tx.nonce) continue
      drop.push(t)
      need -= numSlots(t)
    }
    if (need > 0) throw new TxRejectedError('txpool is full')
    if (tx.nonce > pendingNonce(this.#pool, from, tx.nonce)) {
      for (const t of drop)
        if (splitSender(this.#pool, t.from).pending.includes(t))
          throw new TxRejectedError('future transaction tries to replace pending')
    }
    for (const t of drop) this.#pool.remove(t.hash)
    this.#changes += drop.length
  }

  /**
   * The caps of geth's reorg loop, on `senders` (after an add: its sender; after a head change: all):
   * an account's queued transactions above AccountQueue (highest nonces) are dropped; when more than
   * GlobalSlots are pending, accounts above AccountSlots lose their highest nonces, the largest first,
   * until the total fits or each is down to AccountSlots; when more than GlobalQueue are queued, the
   * accounts queued longest lose their highest nonces first. Returns what was dropped.
   */
  enforce(senders: Iterable<string>): PoolTx[] {
    const pool = this.#pool
    const l = this.limits
    const dropped: PoolTx[] = []
    const drop = (t: PoolTx) => {
      pool.remove(t.hash)
      dropped.push(t)
    }
    for (const s of senders) {
      // At most AccountQueue transactions cannot have more queued: no sort needed (the common case).
      if ((pool.ofSender(s)?.size ?? 0) <= l.accountQueue) continue
      const { queued } = splitSender(pool, s)
      for (const t of queued.slice(l.accountQueue)) drop(t)
    }
    if (pool.size <= Math.min(l.globalSlots, l.globalQueue)) return dropped
    const accounts = [...pool.senders()].map(([s]) => ({ s, ...splitSender(pool, s) }))
    let pending = accounts.reduce((n, a) => n + a.pending.length, 0)
    while (pending > l.globalSlots) {
      let worst: (typeof accounts)[number] | undefined
      for (const a of accounts) if (!worst || a.pending.length > worst.pending.length) worst = a
      if (!worst || worst.pending.length <= l.accountSlots) break
      drop(worst.pending.pop()!)
      pending--
    }
    let queued = accounts.reduce((n, a) => n + a.queued.length, 0)
    // geth's heartbeat: when the account's queue started (here: its oldest queued transaction).
    const byAge = accounts
      .filter((a) => a.queued.length > 0)
      .sort((a, b) => Math.min(...a.queued.map((t) => t.seq)) - Math.min(...b.queued.map((t) => t.seq)))
    for (const a of byAge) {
      while (queued > l.globalQueue && a.queued.length > 0) {
        drop(a.queued.pop()!)
        queued--
      }
      if (queued <= l.globalQueue) break
    }
    return dropped
  }
}
