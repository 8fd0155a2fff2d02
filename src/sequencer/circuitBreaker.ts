/**
 * Per-builder circuit breaker (rollup-boost #91): after `threshold` invalid blocks in a row a
 * builder is ignored for `cooldownMs`; then it is half-open: one more invalid block opens the
 * circuit again at once, a valid one closes it. Time comes from the caller, so this stays pure.
 */
export type CircuitState = 'closed' | 'open' | 'half_open'

export type CircuitBreakerOptions = { threshold: number; cooldownMs: number }

export class CircuitBreaker {
  readonly threshold: number
  readonly cooldownMs: number
  #failures = 0
  #openUntil = 0
  #halfOpen = false
  #trips = 0

  constructor(opts: CircuitBreakerOptions) {
    this.threshold = Math.max(1, opts.threshold)
    this.cooldownMs = opts.cooldownMs
  }

  state(now: number): CircuitState {
    if (this.#openUntil > now) return 'open'
    return this.#halfOpen ? 'half_open' : 'closed'
  }

  /** False while the builder must be ignored. */
  allows(now: number): boolean {
    return this.state(now) !== 'open'
  }

  /** Times the circuit opened since start. */
  get trips(): number {
    return this.#trips
  }

  recordValid(): void {
    this.#failures = 0
    this.#halfOpen = false
  }

  /** Returns true when this failure opened the circuit. */
  recordInvalid(now: number): boolean {
    if (this.state(now) === 'open') return false
    this.#failures++
    if (this.#halfOpen || this.#failures >= this.threshold) {
      this.#openUntil = now + this.cooldownMs
      this.#halfOpen = true
      this.#failures = 0
      this.#trips++
      return true
    }
    return false
  }
}
