import type { Logger } from 'pino'

/**
 * Repeated failures of one thing, logged as an operator wants them: the first failure of a streak at
 * once, then at most one warning per `intervalMs` carrying how many failed since the previous line,
 * and one info line when it works again (how many failed, for how long). A loop that fails 10 times
 * a second then writes 1 line every 10 s instead of 100.
 */
export class FailureLog {
  readonly #log: Logger
  readonly #msg: string
  readonly #intervalMs: number
  #consecutive = 0
  #unlogged = 0
  #since = 0
  #lastLine = 0

  constructor(log: Logger, msg: string, intervalMs: number) {
    this.#log = log
    this.#msg = msg
    this.#intervalMs = intervalMs
  }

  /** Failures since the last success. */
  get consecutive(): number {
    return this.#consecutive
  }

  /** Counts a failure; logs it if it starts a streak or an interval has passed since the last line. */
  failure(err: unknown, fields: Record<string, unknown> = {}, now = Date.now()): void {
    if (this.#consecutive === 0) this.#since = now
    this.#consecutive++
    this.#unlogged++
    if (this.#consecutive > 1 && now - this.#lastLine < this.#intervalMs) return
    this.#log.warn({ ...fields, err: err instanceof Error ? err.message : String(err), failures: this.#unlogged, consecutive: this.#consecutive, sinceMs: now - this.#since }, this.#msg)
    this.#unlogged = 0
    this.#lastLine = now
  }

  /** Ends a streak (one info line when there was one). */
  success(fields: Record<string, unknown> = {}, now = Date.now()): void {
    if (this.#consecutive === 0) return
    this.#log.info({ ...fields, failures: this.#consecutive, outageMs: now - this.#since }, `${this.#msg}: recovered`)
    this.#consecutive = 0
    this.#unlogged = 0
  }
}

/**
 * The delay before retry `n` (1 = after the first failure): `baseMs·2^(n−1)` capped at `capMs`,
 * jittered into its upper half ([d/2, d]) so that peers failing together do not retry in step.
 */
export function backoffMs(n: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const d = Math.min(capMs, baseMs * 2 ** Math.min(30, Math.max(0, n - 1)))
  return d / 2 + (d / 2) * random()
}
