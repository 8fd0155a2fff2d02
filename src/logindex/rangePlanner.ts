/**
 * Sizes eth_getLogs block ranges: doubles after a success that stayed under `targetLogs`,
 * halves after an error (range too large, too many results, timeout, oversized response) or a
 * result above the target. Endpoints differ by orders of magnitude, so the size is learned, not set.
 */
export class RangePlanner {
  #size: number
  readonly #min: number
  readonly #max: number
  readonly #targetLogs: number

  constructor({ initial = 100, min = 1, max = 2_000, targetLogs = 20_000 }: { initial?: number; min?: number; max?: number; targetLogs?: number } = {}) {
    this.#min = Math.max(1, min)
    this.#max = Math.max(this.#min, max)
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
    if (logs > this.#targetLogs) this.#size = Math.max(this.#min, Math.floor(this.#size / 2))
    else if (blocks >= this.#size && logs * 2 <= this.#targetLogs) this.#size = Math.min(this.#max, this.#size * 2)
  }

  /** Returns false when the range was already at its minimum (the error is not about size). */
  failure(): boolean {
    if (this.#size <= this.#min) return false
    this.#size = Math.max(this.#min, Math.floor(this.#size / 2))
    return true
  }
}
