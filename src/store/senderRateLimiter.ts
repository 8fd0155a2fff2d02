import type { RateLimiter } from './rateLimiter.js'

/**
 * Fixed-window per-key counter, as proxyd's MemoryFrontendRateLimiter: at most `limit` takes
 * per key in each `intervalMs` window aligned to the clock. The whole map is dropped when the
 * window changes, so memory is bounded by the keys seen in one window.
 */
export class SenderRateLimiter implements RateLimiter {
  readonly limit: number
  readonly intervalMs: number
  readonly #now: () => number
  #window = -1
  #counts = new Map<string, number>()

  constructor(limit: number, intervalMs: number, now: () => number = Date.now) {
    if (!(limit > 0) || !(intervalMs > 0)) throw new RangeError('rate limit and interval must be positive')
    this.limit = limit
    this.intervalMs = intervalMs
    this.#now = now
  }

  /** Counts one use of `key`; false when the key is over its limit in the current window. */
  take(key: string): boolean {
    const window = Math.floor(this.#now() / this.intervalMs)
    if (window !== this.#window) {
      this.#window = window
      this.#counts = new Map()
    }
    const used = this.#counts.get(key) ?? 0
    this.#counts.set(key, used + 1)
    return used < this.limit
  }
}
