import { TxRejectedError } from '../engine/errors.js'
import { Mempool, type PoolTx } from '../engine/mempool.js'
import type { Hex } from '../engine/types.js'

/**
 * The builder's own mempool, fed by the ingress fan-out (eth_sendRawTransaction): engine-sim's pool
 * (src/engine/mempool.ts) behind the same admission (admitTx, sender recovery). It drops what the
 * chain included (and older nonces of the same senders); `version` changes on every change, so the
 * build loop knows when to rebuild. The block's order is the builder's own policy (orderByFee).
 */
export class BuilderMempool {
  readonly chainId: number | undefined
  readonly #pool: Mempool

  constructor(limit: number, chainId?: number) {
    this.#pool = new Mempool(limit)
    this.chainId = chainId
  }

  get limit(): number {
    return this.#pool.limit
  }

  get size(): number {
    return this.#pool.size
  }

  get version(): number {
    return this.#pool.version
  }

  entries(): PoolTx[] {
    return this.#pool.entries()
  }

  /** Called on every change (the build loop wakes up on new transactions). */
  onChange(fn: () => void): () => void {
    return this.#pool.onChange(fn)
  }

  async add(raw: unknown): Promise<Hex> {
    // Imported on the first transaction: the parse (viem/op-stack) is ~400 modules (~0.5 CPU-s) that a
    // builder waiting for its first job need not load at start (nine builders in the 3×3 devnet).
    const [{ admitTx }, { recoverSender }] = await Promise.all([
      import('../engine/admitTx.js'),
      import('../engine/senderRecovery.js'),
    ])
    const tx = admitTx(raw, { chainId: this.chainId, known: (h) => this.#pool.has(h) })
    const from = await recoverSender(tx.raw)
    if (!from) throw new TxRejectedError('invalid sender')
    this.#pool.add(tx, from)
    return tx.hash
  }

  /** Drops transactions a canonical block included, and lower-or-equal nonces of their senders. */
  included(txs: readonly { hash: string; from?: string | null; nonce?: string | null }[]): void {
    this.#pool.includedByNonce(txs)
  }

  remove(hash: string): void {
    this.#pool.remove(hash)
  }
}
