import type { SweepReport } from './sweepReport.js'

export type SweeperOptions = {
  /** Time from the start of one round to the start of the next; a longer round delays the next, never overlaps it. */
  intervalMs: number
  onReport: (report: SweepReport) => void
  onError: (err: unknown) => void
}

/**
 * Runs rounds one at a time: every intervalMs on its own once started, and on demand through
 * runOnce (which queues behind a running round rather than overlapping it). close() aborts the
 * running round through its signal and waits for it.
 */
export class Sweeper {
  readonly #round: (n: number, signal: AbortSignal) => Promise<SweepReport>
  readonly #opts: SweeperOptions
  readonly #abort = new AbortController()
  #n = 0
  #tail: Promise<unknown> = Promise.resolve()
  #timer: NodeJS.Timeout | undefined
  #looping = false

  constructor(round: (n: number, signal: AbortSignal) => Promise<SweepReport>, opts: SweeperOptions) {
    this.#round = round
    this.#opts = opts
  }

  get rounds(): number {
    return this.#n
  }

  /** Starts the interval loop; the first round starts now. */
  start(): void {
    if (this.#looping || this.#abort.signal.aborted) return
    this.#looping = true
    this.#tick()
  }

  /** Runs one round after any round in progress; rejects if the round fails. */
  runOnce(): Promise<SweepReport> {
    const run = this.#tail.then(() => {
      this.#abort.signal.throwIfAborted()
      return this.#round(++this.#n, this.#abort.signal)
    })
    this.#tail = run.catch(() => undefined)
    return run
  }

  async close(): Promise<void> {
    this.#looping = false
    clearTimeout(this.#timer)
    this.#abort.abort(new Error('sweep closed'))
    await this.#tail
  }

  #tick(): void {
    const started = performance.now()
    this.runOnce()
      .then(this.#opts.onReport, (err: unknown) => {
        if (!this.#abort.signal.aborted) this.#opts.onError(err)
      })
      .finally(() => {
        if (!this.#looping) return
        const wait = Math.max(0, this.#opts.intervalMs - (performance.now() - started))
        this.#timer = setTimeout(() => this.#tick(), wait)
      })
  }
}
