import type { IngesterDeps, IngesterOptions } from './ingesterDeps.js'

export type PrunerDeps = Pick<IngesterDeps, 'chain' | 'store' | 'events' | 'logger'>

/** Drops one chain's blocks older than the expiry window, at most once per `pruneIntervalMs`. */
export class Pruner {
  readonly #d: PrunerDeps
  readonly #o: Pick<IngesterOptions, 'expiryMs' | 'pruneIntervalMs' | 'pruneStep' | 'now'>
  #lastPruneAt = -Infinity
  /** Set while expired blocks remain after a step. */
  #backlog: { since: number; steps: number } | undefined

  constructor(d: PrunerDeps, o: Pick<IngesterOptions, 'expiryMs' | 'pruneIntervalMs' | 'pruneStep' | 'now'>) {
    this.#d = d
    this.#o = o
  }

  /**
   * One bounded prune step (LogStore.prune) when the interval is due or a backlog is being worked
   * off. Returns true when expired blocks remain: the ingester then loops again without its poll
   * sleep, so a backlog (a restart after days offline, a shorter --expiry) goes in steps of
   * ~40 ms with the event loop free between them.
   */
  prune(): boolean {
    const now = this.#o.now()
    if (this.#backlog === undefined && now - this.#lastPruneAt < this.#o.pruneIntervalMs) return false
    this.#lastPruneAt = now
    const { chain } = this.#d
    const cutoff = BigInt(Math.floor((now - this.#o.expiryMs) / 1000))
    const out = this.#d.store.prune(chain.key, cutoff, this.#o.pruneStep)
    const chainId = chain.chainId.toString()
    if (out === undefined) {
      this.#backlog = undefined
      return false
    }
    const { firstKept, done } = out
    if (!done && this.#backlog === undefined) {
      this.#backlog = { since: performance.now(), steps: 0 }
      this.#d.logger.info({ chainId, firstKept: firstKept.toString() }, 'pruning a backlog of expired blocks in steps')
    }
    if (this.#backlog) this.#backlog.steps++
    if (done && this.#backlog) {
      const { since, steps } = this.#backlog
      this.#d.logger.info(
        { chainId, firstKept: firstKept.toString(), steps, ms: Math.round(performance.now() - since) },
        'pruned the backlog of expired blocks',
      )
      this.#backlog = undefined
    } else if (done) {
      this.#d.logger.debug({ chainId, firstKept: firstKept.toString() }, 'pruned expired blocks')
    }
    this.#d.events.emit('prune', chain.chainId, firstKept)
    return !done
  }
}
