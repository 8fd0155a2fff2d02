import type { Logger } from 'pino'

/**
 * One info line per event, up to `perInterval` lines per `intervalMs`; beyond that the events are
 * counted and the next line after the interval carries `suppressed` (how many were not written
 * since the previous line). For events an operator wants to see one by one (each refused
 * transaction: sender, hash, code, reason) that a flood must not turn into a log flood: a spam
 * burst of 10,000 refusals a second writes `perInterval` lines per interval, not 10,000.
 */
export class SampledLog {
  readonly #log: Logger
  readonly #msg: string
  readonly #intervalMs: number
  readonly #perInterval: number
  #windowStart = Number.NEGATIVE_INFINITY
  #written = 0
  #suppressed = 0

  constructor(log: Logger, msg: string, opts: { intervalMs?: number; perInterval?: number } = {}) {
    this.#log = log
    this.#msg = msg
    this.#intervalMs = opts.intervalMs ?? 10_000
    this.#perInterval = opts.perInterval ?? 20
  }

  /** Whether the next event would be written now (so a caller skips costly fields, e.g. recovering a sender, otherwise). */
  wouldWrite(now = Date.now()): boolean {
    return now - this.#windowStart >= this.#intervalMs || this.#written < this.#perInterval
  }

  /** Counts an event; writes it when the interval's budget allows. Returns whether it was written. */
  event(fields: Record<string, unknown>, now = Date.now()): boolean {
    if (now - this.#windowStart >= this.#intervalMs) {
      this.#windowStart = now
      this.#written = 0
    }
    if (this.#written >= this.#perInterval) {
      this.#suppressed++
      return false
    }
    this.#written++
    const suppressed = this.#suppressed
    this.#suppressed = 0
    this.#log.info(suppressed > 0 ? { ...fields, suppressed } : fields, this.#msg)
    return true
  }
}
