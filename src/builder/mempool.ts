import { recoverTransactionAddress } from 'viem'
import type { Hex } from '../engine/types.js'
import { decodeTx, DEPOSIT_TX_TYPE } from '../enginesim/decodeTx.js'
import { TxRejectedError } from './errors.js'
import type { PoolEntry } from './feePolicy.js'

/**
 * What a client is told of a transaction that does not decode: decodeTx's own reasons, but never the
 * codec library's words after "undecodable transaction:" (viem's, e.g. "Position `1` is out of
 * bounds (`0 < position < 1`)"): an internal detail, and not a stable answer.
 */
function decodeFailure(err: unknown): string {
  const msg = err instanceof Error ? err.message : ''
  return msg.startsWith('undecodable transaction') || msg === '' ? 'undecodable transaction' : msg
}

/**
 * The builder's own mempool, fed by the ingress fan-out (eth_sendRawTransaction). Keeps signed
 * transactions by hash with their recovered sender; drops what the chain included (and older nonces
 * of the same senders). `version` changes on every change, so the build loop knows when to rebuild.
 */
export class BuilderMempool {
  readonly limit: number
  readonly chainId: number | undefined
  #byHash = new Map<string, PoolEntry>()
  #seq = 0
  #version = 0
  #listeners = new Set<() => void>()

  constructor(limit: number, chainId?: number) {
    this.limit = limit
    this.chainId = chainId
  }

  get size(): number {
    return this.#byHash.size
  }

  get version(): number {
    return this.#version
  }

  entries(): PoolEntry[] {
    return [...this.#byHash.values()]
  }

  /** Called on every change (the build loop wakes up on new transactions). */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }

  async add(raw: unknown): Promise<Hex> {
    let tx
    try { tx = decodeTx(raw) } catch (err) { throw new TxRejectedError(decodeFailure(err)) }
    if (tx.type === DEPOSIT_TX_TYPE || tx.type === 3) throw new TxRejectedError('transaction type not supported')
    if (tx.chainId === undefined) throw new TxRejectedError('only replay-protected (EIP-155) transactions allowed over RPC')
    if (this.chainId !== undefined && tx.chainId !== this.chainId) throw new TxRejectedError(`invalid chain id for signer: have ${tx.chainId} want ${this.chainId}`)
    if (this.#byHash.has(tx.hash)) throw new TxRejectedError('already known')
    if (this.#byHash.size >= this.limit) throw new TxRejectedError('txpool is full')
    let from: Hex
    try { from = await recoverTransactionAddress({ serializedTransaction: tx.raw as never }) } catch { throw new TxRejectedError('invalid sender') }
    this.#byHash.set(tx.hash, { ...tx, from: from.toLowerCase(), seq: this.#seq++ })
    this.#changed()
    return tx.hash
  }

  /** Drops transactions a canonical block included, and lower-or-equal nonces of their senders. */
  included(txs: readonly { hash: string; from?: string | null; nonce?: string | null }[]): void {
    const floor = new Map<string, bigint>()
    let changed = false
    for (const t of txs) {
      if (this.#byHash.delete(t.hash.toLowerCase())) changed = true
      if (t.from && t.nonce) {
        const k = t.from.toLowerCase()
        const n = BigInt(t.nonce)
        if ((floor.get(k) ?? -1n) < n) floor.set(k, n)
      }
    }
    for (const [h, e] of this.#byHash) {
      const f = floor.get(e.from)
      if (f !== undefined && e.nonce <= f) { this.#byHash.delete(h); changed = true }
    }
    if (changed) this.#changed()
  }

  remove(hash: string): void {
    if (this.#byHash.delete(hash.toLowerCase())) this.#changed()
  }

  #changed(): void {
    this.#version++
    for (const fn of this.#listeners) fn()
  }
}
