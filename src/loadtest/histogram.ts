// Log-spaced buckets 2% wide from 10 µs to 10 min: percentiles within 2% in 3.6 KB, whatever the run's
// length (a list of every latency would be 8 bytes × 50k req/s × an hour).
const LOWEST_MS = 0.01
const GROWTH = 1.02
const LOG_GROWTH = Math.log(GROWTH)
const BUCKETS = Math.ceil(Math.log(600_000 / LOWEST_MS) / LOG_GROWTH) + 1

const upperBound = (i: number) => LOWEST_MS * GROWTH ** i

/** A latency histogram: record, then percentiles (the bucket's upper bound, so never under-reported). */
export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS)
  count = 0
  max = 0
  #sum = 0

  record(ms: number): void {
    const i = ms <= LOWEST_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / LOWEST_MS) / LOG_GROWTH))
    this.#counts[i]!++
    this.count++
    this.#sum += ms
    if (ms > this.max) this.max = ms
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.#sum / this.count
  }

  /** The q-quantile (0..1) in ms, capped at the largest value seen; 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0
    const rank = Math.max(1, Math.ceil(q * this.count))
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!
      if (seen >= rank) return Math.min(upperBound(i), this.max)
    }
    return this.max
  }

  /** Non-empty buckets merged `group` at a time (10: ~22% wide): the report's histogram. */
  buckets(group = 10): { leMs: number; count: number }[] {
    const out: { leMs: number; count: number }[] = []
    for (let start = 0; start < BUCKETS; start += group) {
      let n = 0
      for (let i = start; i < Math.min(BUCKETS, start + group); i++) n += this.#counts[i]!
      if (n > 0) out.push({ leMs: round3(upperBound(Math.min(BUCKETS - 1, start + group - 1))), count: n })
    }
    return out
  }

  reset(): void {
    this.#counts.fill(0)
    this.count = 0
    this.max = 0
    this.#sum = 0
  }
}

export const round3 = (n: number) => Math.round(n * 1000) / 1000
