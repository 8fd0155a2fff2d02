import { Gauge, type Registry } from 'prom-client'
import { FailureLog } from '../util/failureLog.js'
import type { Logger } from '../util/logger.js'
import { RpcClient } from './client.js'

export type FailsafePollerOptions = {
  /** Poll interval: op-reth and op-geth poll admin_getFailsafeEnabled every 1 s. */
  intervalMs: number
  timeoutMs: number
  log: Logger
  registry?: Registry | undefined
  /** The gauge (1 while on), e.g. superguard_ingress_failsafe_enabled; none without a registry. */
  metricName: string
  /** The log line when the failsafe turns on: what the role now does about it. */
  onMessage: string
}

/**
 * The cluster's failsafe as op-reth's quorum client keeps it (optimism#21195, interop_filter/client.rs):
 * `admin_getFailsafeEnabled` polled on every supervisor each interval and OR-ed. It turns on at the
 * first `true` and clears only when **every** supervisor answers `false` in one round; a supervisor
 * that does not answer leaves it as it is. One warning per change; failed polls are summarised.
 * The ingress refuses interop transactions while it is on, the sweep keeps them all.
 */
export class FailsafePoller {
  readonly #clients: RpcClient[]
  readonly #o: FailsafePollerOptions
  readonly #failures: FailureLog
  readonly #gauge: Gauge | undefined
  #on = false
  #timer: NodeJS.Timeout | undefined
  #round: Promise<void> | undefined

  constructor(urls: readonly string[], opts: FailsafePollerOptions) {
    this.#o = opts
    this.#clients = urls.map((u) => new RpcClient(u, { timeoutMs: opts.timeoutMs }))
    this.#failures = new FailureLog(opts.log, 'failsafe poll failed', 10_000)
    this.#gauge = opts.registry
      ? new Gauge({
          name: opts.metricName,
          help: '1 while any supervisor reports failsafe (admin_getFailsafeEnabled, polled every second)',
          registers: [opts.registry],
        })
      : undefined
    this.#gauge?.set(0)
  }

  get on(): boolean {
    return this.#on
  }

  start(): void {
    this.#timer ??= setInterval(() => {
      this.#round ??= this.poll().finally(() => {
        this.#round = undefined
      })
    }, this.#o.intervalMs)
    this.#timer.unref()
  }

  /** One polling round (exported for tests and the first check at start). */
  async poll(): Promise<void> {
    const answers = await Promise.all(
      this.#clients.map((c) =>
        c.call<unknown>('admin_getFailsafeEnabled').then(
          (v) => (typeof v === 'boolean' ? v : undefined),
          (err: unknown) => {
            this.#failures.failure(err, { url: c.url.origin })
            return undefined
          },
        ),
      ),
    )
    if (answers.every((a) => a !== undefined)) this.#failures.success()
    const next = answers.includes(true) ? true : answers.every((a) => a === false) ? false : this.#on
    if (next !== this.#on) {
      this.#o.log.warn(
        { failsafe: next, supervisors: answers.map((a) => a ?? null) },
        next ? this.#o.onMessage : 'failsafe off at every supervisor',
      )
      this.#on = next
      this.#gauge?.set(next ? 1 : 0)
    }
  }

  close(): void {
    clearInterval(this.#timer)
    this.#failures.close()
    for (const c of this.#clients) c.close()
  }
}
