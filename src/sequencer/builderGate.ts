import type { Logger } from 'pino'
import { CircuitBreaker, type CircuitBreakerOptions } from './circuitBreaker.js'
import type { ExecutionMode } from './types.js'

export type BuilderGateOptions = { mode: ExecutionMode; breaker: CircuitBreakerOptions; log: Logger }

/**
 * Whether builders take part now: the execution mode (switched at runtime over the debug
 * listener) and each builder's circuit breaker. The core (job start, seal, health) and the job
 * book (submissions, validation outcomes) both read it; neither reaches into the other for it.
 */
export class BuilderGate {
  readonly #o: BuilderGateOptions
  readonly #breakers = new Map<string, CircuitBreaker>()
  #mode: ExecutionMode

  constructor(o: BuilderGateOptions) {
    this.#o = o
    this.#mode = o.mode
  }

  get mode(): ExecutionMode {
    return this.#mode
  }

  set mode(m: ExecutionMode) {
    if (m !== this.#mode) this.#o.log.info({ from: this.#mode, to: m }, 'execution mode changed')
    this.#mode = m
  }

  /** The builder's circuit breaker, made on first use. */
  breaker(builder: string): CircuitBreaker {
    let b = this.#breakers.get(builder)
    if (!b) this.#breakers.set(builder, (b = new CircuitBreaker(this.#o.breaker)))
    return b
  }
}
