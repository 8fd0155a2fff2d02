import type { Hex } from '../interop/index.js'
import { BoundedMap } from '../util/boundedMap.js'
import type { AcceptedStore, AcceptedTx } from './acceptedStore.js'

/**
 * Bounded memory of accepted interop transactions, shared by the ingress (writer) and an
 * in-process sweep (reader, evicter). Oldest entries go first when the bound is reached.
 */
export class AcceptedSet implements AcceptedStore {
  readonly maxSize: number
  readonly #txs: BoundedMap<Hex, AcceptedTx>

  constructor(maxSize = 100_000) {
    this.maxSize = maxSize
    this.#txs = new BoundedMap(maxSize)
  }

  get size(): number {
    return this.#txs.size
  }

  /** Records a transaction; a known hash keeps its first-seen time. Returns false when it was already known. */
  add(tx: AcceptedTx): boolean {
    return this.#txs.add(tx.hash, tx)
  }

  get(hash: Hex): AcceptedTx | undefined {
    return this.#txs.get(hash)
  }

  delete(hash: Hex): boolean {
    return this.#txs.delete(hash)
  }

  /** A snapshot, so a sweep can run while the ingress keeps adding. */
  snapshot(): AcceptedTx[] {
    return this.#txs.valuesArray()
  }
}
