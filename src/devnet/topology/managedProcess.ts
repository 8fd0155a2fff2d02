import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ProcessSpec } from './plan.js'

/** bin/superguard.js of this checkout (dist/src/devnet/topology/ → four levels up). */
export const SUPERGUARD_BIN = fileURLToPath(new URL('../../../../bin/superguard.js', import.meta.url))

export type ProcessState = 'starting' | 'running' | 'unresponsive' | 'exited' | 'stopped'

export type ExitInfo = { code: number | null; signal: NodeJS.Signals | null; pid: number }

/** Every group still running, killed at once if the devnet itself exits without close() (an uncaught error). */
const live = new Set<number>()
process.once('exit', () => {
  for (const pid of live) signalGroup(pid, 'SIGKILL')
})

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    return false
  }
}

/**
 * One cluster process: `node bin/superguard.js <role> <args>` in a process group of its own (a
 * terminal's Ctrl-C reaches only the devnet, which stops each group itself, in order), its output
 * appended to a log file. Respawnable with the same arguments, hence the same ports.
 */
export class ManagedProcess {
  readonly spec: ProcessSpec
  readonly logFile: string
  state: ProcessState = 'starting'
  restarts = 0
  #child: ChildProcess | undefined
  #exited: Promise<ExitInfo> | undefined
  readonly #onExit: (p: ManagedProcess, e: ExitInfo) => void

  constructor(spec: ProcessSpec, logFile: string, onExit: (p: ManagedProcess, e: ExitInfo) => void) {
    this.spec = spec
    this.logFile = logFile
    this.#onExit = onExit
  }

  get pid(): number | undefined {
    return this.#child?.pid
  }

  get alive(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null
  }

  spawn(): void {
    const fd = openSync(this.logFile, 'a')
    let child: ChildProcess
    try {
      child = spawn(process.execPath, [...nodeArgs(), SUPERGUARD_BIN, this.spec.role, ...this.spec.args], {
        stdio: ['ignore', fd, fd],
        detached: true,
        // 100 ms event-loop sampling instead of 5–10 ms: ~0.8 % of a core per idle process saved, 40 processes.
        env: { SUPERGUARD_EVENT_LOOP_RESOLUTION_MS: '100', ...process.env },
      })
    } finally {
      closeSync(fd)
    }
    this.#child = child
    this.state = 'starting'
    const pid = child.pid
    if (pid !== undefined) live.add(pid)
    this.#exited = new Promise((resolve) => {
      child.once('error', () => resolve({ code: null, signal: null, pid: pid ?? -1 }))
      child.once('exit', (code, signal) => {
        if (pid !== undefined) live.delete(pid)
        // A group member left behind (none today: the roles start no processes) goes with its leader.
        if (pid !== undefined) signalGroup(pid, 'SIGKILL')
        resolve({ code, signal, pid: pid ?? -1 })
      })
    })
    void this.#exited.then((e) => {
      if (this.#child === child) this.#onExit(this, e)
    })
  }

  /** SIGCONT (a SIGSTOPped process cannot act on SIGTERM) and SIGTERM to the group, SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.#child
    this.state = 'stopped'
    if (!child || !this.alive || child.pid === undefined) return
    signalGroup(child.pid, 'SIGCONT')
    signalGroup(child.pid, 'SIGTERM')
    const t = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), graceMs)
    await this.#exited
    clearTimeout(t)
  }
}

/**
 * Node flags for every child, from SUPERGUARD_DEVNET_NODE_ARGS (space-separated): the topology
 * bench's BENCH_CPU_PROF passes `--cpu-prof --cpu-prof-dir=…`, which NODE_OPTIONS may not carry.
 */
function nodeArgs(): string[] {
  return (process.env.SUPERGUARD_DEVNET_NODE_ARGS ?? '').split(' ').filter((a) => a !== '')
}
