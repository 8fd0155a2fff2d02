import type { IngesterDeps, IngesterOptions } from './ingesterDeps.js'

export type PrunerDeps = Pick<IngesterDeps, 'chain' | 'store' | 'events' | 'logger'>

/** Drops one chain's blocks older than the expiry window, at most once per `pruneIntervalMs`. */
export class Pruner {
  readonly #d: PrunerDeps
  readonly #o: Pick<IngesterOptions, 'expiryMs' | 'pruneIntervalMs' | 'now'>
  #lastPruneAt = -Infinity

  constructor(d: PrunerDeps, o: Pick<IngesterOptions, 'expiryMs' | 'pruneIntervalMs' | 'now'>) {
    this.#d = d
    this.#o = o
  }

  prune(): void {
    const now = this.#o.now()
    if (now - this.#lastPruneAt < this.#o.pruneIntervalMs) return
    this.#lastPruneAt = now
    const { chain } = this.#d
    const cutoff = BigInt(Math.floor((now - this.#o.expiryMs) / 1000))
    const kept = this.#d.store.prune(chain.key, cutoff)
    if (kept === undefined) return
    this.#d.logger.debug({ chainId: chain.chainId.toString(), firstKept: kept.toString() }, 'pruned expired blocks')
    this.#d.events.emit('prune', chain.chainId, kept)
  }
}
