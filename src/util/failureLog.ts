import type { Logger } from 'pino'
import { errorFields } from './errorText.js'

export type FailureLogOptions = {
  /** Level of the failure lines (default warn; error for damage an operator must act on). */
  level?: 'warn' | 'error'
  /** Message of the recovery line (default `<msg>: recovered`). */
  recoveredMsg?: string
  /**
   * Also write the failures counted after the last line when their interval ends, even if no
   * further failure or recovery comes to carry them (a burst that then stops is logged in full
   * within one interval, not at the next failure, maybe hours later). Default off.
   */
  flush?: boolean
}

/**
 * Repeated failures of one thing, logged as an operator wants them: at most one warning per
 * `intervalMs` carrying how many failed since the previous line (the first failure at once when no
 * line was written within the interval), and one info line when it works again (how many failed, for
 * how long) for a streak whose failure was logged. A loop that fails 10 times a second then writes 1
 * line every 10 s instead of 100. The interval runs across streaks: a thing failing every other
 * attempt (an engine down every other 2 s slot) writes about a failure line and its recovery per
 * interval, not 2 lines per slot; the failures of a streak that started and ended within an interval
 * of the last line are counted into the next failure line, without a recovery line of their own.
 */
export class FailureLog {
  readonly #log: Logger
  readonly #msg: string
  readonly #intervalMs: number
  #consecutive = 0
  #unlogged = 0
  #since = 0
  /** Time of the last line written (failure or recovery), kept across streaks. */
  #lastLine = Number.NEGATIVE_INFINITY
  /** Whether a failure line was written during the current streak (then its end is logged). */
  #streakLogged = false
  readonly #o: FailureLogOptions
  /** The latest unlogged failure (for a deferred flush) and its timer. */
  #pending: { err: unknown; fields: Record<string, unknown> } | undefined
  #timer: NodeJS.Timeout | undefined

  constructor(log: Logger, msg: string, intervalMs: number, opts: FailureLogOptions = {}) {
    this.#log = log
    this.#msg = msg
    this.#intervalMs = intervalMs
    this.#o = opts
  }

  /** Failures since the last success. */
  get consecutive(): number {
    return this.#consecutive
  }

  /** Counts a failure; logs it (with the count since the last line) if an interval has passed since the last line. */
  failure(err: unknown, fields: Record<string, unknown> = {}, now = Date.now()): void {
    if (this.#consecutive === 0) this.#since = now
    this.#consecutive++
    this.#unlogged++
    if (now - this.#lastLine < this.#intervalMs) {
      if (this.#o.flush) {
        this.#pending = { err, fields }
        this.#timer ??= setTimeout(() => this.#flush(), this.#lastLine + this.#intervalMs - now).unref()
      }
      return
    }
    this.#line(err, fields, now)
  }

  /** Writes the failures counted since the last line now, if any (at shutdown). */
  close(): void {
    this.#flush()
  }

  #flush(now = Date.now()): void {
    const p = this.#pending
    if (p && this.#unlogged > 0) this.#line(p.err, p.fields, now)
    else this.#clear()
  }

  #line(err: unknown, fields: Record<string, unknown>, now: number): void {
    this.#clear()
    this.#log[this.#o.level ?? 'warn'](
      {
        // One line: class, short message, URL and method; never viem's ~2 KB message with the request body.
        // The stack only at debug. The caller's fields win (its `url` is the one the operator configured).
        ...errorFields(err, this.#log.isLevelEnabled('debug')),
        ...fields,
        failures: this.#unlogged,
        consecutive: this.#consecutive,
        sinceMs: now - this.#since,
      },
      this.#msg,
    )
    this.#unlogged = 0
    this.#lastLine = now
    if (this.#consecutive > 0) this.#streakLogged = true
  }

  #clear(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#pending = undefined
  }

  /**
   * Ends a streak: one info line when its failure was logged. An unlogged streak's failures stay
   * counted (and a pending flush stays armed) for the next failure line.
   */
  success(fields: Record<string, unknown> = {}, now = Date.now()): void {
    if (this.#consecutive === 0) return
    const failures = this.#consecutive
    this.#consecutive = 0
    if (!this.#streakLogged) return
    this.#streakLogged = false
    this.#clear()
    this.#log.info(
      { ...fields, failures, outageMs: now - this.#since },
      this.#o.recoveredMsg ?? `${this.#msg}: recovered`,
    )
    this.#unlogged = 0
    this.#lastLine = now
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
