import type { Logger } from 'pino'

/**
 * What the devnet started, to stop in reverse order. Each part registers its close() as soon as
 * it runs, so a failure half-way through start-up still stops everything before it.
 */
export class Closers {
  readonly #fns: { what: string; close: () => unknown }[] = []
  readonly #log: Logger
  #closing: Promise<void> | undefined

  constructor(log: Logger) {
    this.#log = log
  }

  add(what: string, close: () => unknown): void {
    this.#fns.push({ what, close })
  }

  /** Runs every close, newest first, each once; a failing one is logged and the rest still run. Idempotent. */
  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      for (const { what, close } of this.#fns.reverse()) {
        try {
          await close()
        } catch (err) {
          this.#log.error({ err, what }, 'devnet: stopping failed')
        }
      }
    })())
  }
}
