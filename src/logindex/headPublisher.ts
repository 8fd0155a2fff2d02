import type { IngesterDeps } from './ingesterDeps.js'

export type HeadPublisherDeps = Pick<
  IngesterDeps,
  'chain' | 'store' | 'cross' | 'events' | 'metrics' | 'progress' | 'logger'
>

/**
 * What the rest of the process sees of one chain's index after it changed: the head gauges, the
 * cross-unsafe heads (of every chain: one chain's blocks can make another's messages valid), and
 * readiness once the backfill is done.
 */
export class HeadPublisher {
  readonly #d: HeadPublisherDeps

  constructor(d: HeadPublisherDeps) {
    this.#d = d
  }

  get #key(): number {
    return this.#d.chain.key
  }

  get #chainId(): bigint {
    return this.#d.chain.chainId
  }

  /** This chain's head gauges, every level. */
  publish(): void {
    for (const level of ['unsafe', 'cross-unsafe', 'safe', 'finalized'] as const) {
      const h = this.#d.store.head(this.#key, level)
      if (h) this.#d.metrics.head.set({ chain_id: this.#chainId.toString(), level }, Number(h.number))
    }
  }

  /** Advances cross-unsafe on every chain as far as it goes; a `cross-unsafe` event per chain that has a head. */
  advanceCross(): void {
    const { cross, store, events, metrics } = this.#d
    for (const c of cross.advanceAll()) {
      const head = store.head(c.key, 'cross-unsafe')
      if (!head) continue
      metrics.head.set({ chain_id: c.chainId.toString(), level: 'cross-unsafe' }, Number(head.number))
      events.emit('cross-unsafe', c.chainId, head)
    }
  }

  /** The backfill reached the head: the chain answers checks from now on. */
  markReady(): void {
    const { store, progress, metrics, events, logger } = this.#d
    store.setReady(this.#key)
    progress?.done(this.#chainId)
    metrics.backfillRate.set({ chain_id: this.#chainId.toString() }, 0)
    logger.info(
      { chainId: this.#chainId.toString(), head: store.head(this.#key, 'unsafe')?.number.toString() },
      'chain ready',
    )
    events.emit('ready', this.#chainId)
  }
}
