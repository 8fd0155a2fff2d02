/**
 * Sizes eth_getLogs block ranges: doubles after a success that stayed under `targetLogs`,
 * halves after an error (range too large, too many results, timeout, oversized response) or a
 * result above the target. Endpoints differ by orders of magnitude, so the size is learned, not set.
 * A size that failed becomes a ceiling, so a provider's hard limit is not hit on every other
 * range; the ceiling lifts after a run of successes in case the failure was transient.
 */
export class RangePlanner {
  #size: number
  #ceiling: number
  #successes = 0
  readonly #min: number
  readonly #max: number
  readonly #targetLogs: number

  static readonly CEILING_RESET_AFTER = 64

  constructor({
    initial = 100,
    min = 1,
    max = 2_000,
    targetLogs = 20_000,
  }: { initial?: number; min?: number; max?: number; targetLogs?: number } = {}) {
    this.#min = Math.max(1, min)
    this.#max = Math.max(this.#min, max)
    this.#ceiling = this.#max
    this.#size = Math.min(this.#max, Math.max(this.#min, initial))
    this.#targetLogs = targetLogs
  }

  get size(): number {
    return this.#size
  }

  /** Last block of the next range starting at `from`, not beyond `target`. */
  end(from: bigint, target: bigint): bigint {
    const end = from + BigInt(this.#size) - 1n
    return end < target ? end : target
  }

  success(blocks: number, logs: number): void {
    if (++this.#successes >= RangePlanner.CEILING_RESET_AFTER) {
      this.#ceiling = this.#max
      this.#successes = 0
    }
    if (logs > this.#targetLogs) this.#size = Math.max(this.#min, Math.floor(this.#size / 2))
    else if (blocks >= this.#size && logs * 2 <= this.#targetLogs) this.#size = Math.min(this.#ceiling, this.#size * 2)
  }

  /** A copy of this planner's state, for `restore`. */
  copy(): RangePlanner {
    const c = new RangePlanner({ initial: this.#size, min: this.#min, max: this.#max, targetLogs: this.#targetLogs })
    c.restore(this)
    return c
  }

  /** Takes over the state of `other` (a copy of this planner). */
  restore(other: RangePlanner): void {
    this.#size = other.#size
    this.#ceiling = other.#ceiling
    this.#successes = other.#successes
  }

  /** Returns false when the range was already at its minimum (the error is not about size). */
  failure(): boolean {
    this.#successes = 0
    if (this.#size <= this.#min) return false
    this.#ceiling = Math.max(this.#min, this.#size - 1)
    this.#size = Math.max(this.#min, Math.floor(this.#size / 2))
    return true
  }
}
