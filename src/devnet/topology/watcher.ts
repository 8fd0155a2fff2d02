import { readFileSync } from 'node:fs'
import { setTimeout as pause } from 'node:timers/promises'
import type { Logger } from 'pino'
import type { ManagedProcess, ProcessState } from './managedProcess.js'

export type WatcherOptions = {
  procs: readonly ManagedProcess[]
  log: Logger
  /** A process began or stopped answering (running ↔ unresponsive, starting → running). */
  onState: (p: ManagedProcess, state: ProcessState) => void
  /** A conductor stand-in's /healthz named another leader (from = undefined: the first reading). */
  onLeader: (chain: number, from: string | undefined, to: string) => void
  /** Time between two rounds (default 3 s) and the wait for one answer (default 1.5 s). */
  intervalMs?: number
  timeoutMs?: number
  /** Rounds without an answer before a live process is reported unresponsive (default 2: 3–6 s). */
  missesBeforeUnresponsive?: number
}

type Reading = { status: number; body: string } | undefined

/** The URL that tells whether a process answers: /healthz, or /metrics for the sweep (it has no /healthz). */
function probeUrl(p: ManagedProcess): string {
  return p.spec.healthz ?? p.spec.metrics!
}

async function read(url: string, timeoutMs: number): Promise<Reading> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    return { status: res.status, body: await res.text() }
  } catch {
    return undefined
  }
}

/** The last lines of a process's log, for a start-up failure message. */
function tail(p: ManagedProcess): string {
  try {
    return readFileSync(p.logFile, 'utf8').trim().split('\n').slice(-5).join('\n')
  } catch {
    return ''
  }
}

/**
 * Reads every process's /healthz: during start-up until each answers (then until each is healthy),
 * afterwards every couple of seconds to notice one that stopped answering while its pid lives
 * (SIGSTOP, a hang) and, through the conductor stand-ins' /healthz, who leads each chain.
 */
export class Watcher {
  readonly #o: WatcherOptions
  readonly #misses = new Map<ManagedProcess, number>()
  readonly #leaders = new Map<number, string>()
  #timer: NodeJS.Timeout | undefined
  #round: Promise<void> = Promise.resolve()
  #closed = false

  constructor(o: WatcherOptions) {
    this.#o = o
  }

  /** Resolves once every process answers anything over HTTP; throws if one exits first or at the deadline. */
  untilAnswering(procs: readonly ManagedProcess[], deadline: number): Promise<void> {
    return this.#until(procs, deadline, 'answer', (r) => r !== undefined)
  }

  /** Resolves once every /healthz is 200 or 206 (a sequencer with no builder fit); throws at the deadline. */
  untilHealthy(procs: readonly ManagedProcess[], deadline: number): Promise<void> {
    return this.#until(procs, deadline, 'become healthy', (r) => r?.status === 200 || r?.status === 206)
  }

  async #until(
    procs: readonly ManagedProcess[],
    deadline: number,
    what: string,
    ok: (r: Reading) => boolean,
  ): Promise<void> {
    let pending = [...procs]
    const last = new Map<ManagedProcess, Reading>()
    while (pending.length > 0) {
      if (this.#closed) throw new Error('devnet closing')
      const dead = pending.find((p) => !p.alive && p.state !== 'starting')
      if (dead) throw new Error(`${dead.spec.name} exited during start-up; its log ${dead.logFile}:\n${tail(dead)}`)
      if (performance.now() > deadline)
        throw new Error(
          `did not ${what} in time: ${pending.map((p) => `${p.spec.name} (${last.get(p)?.status ?? 'no answer'})`).join(', ')}`,
        )
      const readings = await Promise.all(pending.map((p) => read(probeUrl(p), 1_000)))
      for (const [i, r] of readings.entries()) last.set(pending[i]!, r)
      pending = pending.filter((_, i) => !ok(readings[i]))
      // Every 300 ms: 39 processes polled every 200 ms cost the start-up ~1 CPU-second more.
      if (pending.length > 0) await pause(300)
    }
  }

  start(): void {
    const every = this.#o.intervalMs ?? 3_000
    this.#timer = setInterval(() => {
      this.#round = this.#watch()
    }, every)
    this.#round = this.#watch()
  }

  async #watch(): Promise<void> {
    const timeoutMs = this.#o.timeoutMs ?? 1_500
    const limit = this.#o.missesBeforeUnresponsive ?? 2
    await Promise.all(
      this.#o.procs.map(async (p) => {
        if (!p.alive || p.state === 'stopped') return
        const r = await read(probeUrl(p), timeoutMs)
        if (this.#closed || !p.alive) return
        if (r === undefined) {
          const misses = (this.#misses.get(p) ?? 0) + 1
          this.#misses.set(p, misses)
          // A restarted process is 'starting' until it answers: it is not reported unresponsive meanwhile.
          if (misses >= limit && p.state === 'running') this.#o.onState(p, 'unresponsive')
          return
        }
        this.#misses.set(p, 0)
        if (p.state !== 'running') this.#o.onState(p, 'running')
        if (p.spec.role === 'conductor-standin' && p.spec.chain !== undefined) this.#leader(p.spec.chain, r.body)
      }),
    )
  }

  #leader(chain: number, body: string): void {
    let leader: unknown
    try {
      leader = (JSON.parse(body) as { leader?: unknown }).leader
    } catch {
      return
    }
    if (typeof leader !== 'string') return
    const was = this.#leaders.get(chain)
    if (was === leader) return
    this.#leaders.set(chain, leader)
    this.#o.onLeader(chain, was, leader)
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#timer) clearInterval(this.#timer)
    await this.#round
  }
}
