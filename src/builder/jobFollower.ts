import type { Logger } from 'pino'
import type { StartBuildingParams } from '../pbs/index.js'

/**
 * The job the builder works on. A new job supersedes every older one: each build runs with the
 * generation `g` it started in and stops at its next step once `g` is no longer current. Builds
 * wait in `nap`, which a mempool change, a deadline notice, a new job or close cuts short.
 */
export class JobFollower {
  current: StartBuildingParams | undefined
  readonly #log: Logger
  #gen = 0
  #closed = false
  readonly #wakers = new Set<() => void>()
  readonly #running = new Set<Promise<void>>()

  constructor(log: Logger) {
    this.#log = log
  }

  /** True while generation `g` is the newest one (a newer job, or close, ends it). */
  isCurrent(g: number): boolean {
    return g === this.#gen
  }

  /** True while generation `g` is the newest one and the builder is open: a build keeps going. */
  live(g: number): boolean {
    return g === this.#gen && !this.#closed
  }

  /** Makes `job` the current one and wakes every build (the older ones then stop); its generation. */
  start(job: StartBuildingParams): number {
    this.current = job
    const g = ++this.#gen
    this.wake()
    return g
  }

  /** Keeps a build until it ends, so close can wait for it; nothing else waits for it. */
  track(build: Promise<void>): void {
    const r = build
      .catch((err: unknown) => this.#log.error({ err }, 'build loop failed'))
      .finally(() => this.#running.delete(r))
    this.#running.add(r)
  }

  /** Cuts every `nap` short. */
  wake(): void {
    for (const w of [...this.#wakers]) w()
  }

  /** Waits until woken (mempool change, deadline notice, new job, close) or `ms` pass. */
  nap(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t)
        this.#wakers.delete(done)
        resolve()
      }
      const t = setTimeout(done, Math.max(0, ms))
      this.#wakers.add(done)
    })
  }

  /** Ends every build at its next step; `settled` resolves once they have. */
  close(): void {
    this.#closed = true
    this.#gen++
    this.wake()
  }

  settled(): Promise<unknown> {
    return Promise.all(this.#running)
  }
}
