import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

/** Shared plumbing of the sequencer benches: JWT files, the engine-sim child process, worker threads. */

const dir = mkdtempSync(join(tmpdir(), 'sg-bench-seq-'))
process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
let files = 0

export function jwtFile(): { path: string; secret: Buffer; hex: string } {
  const secret = randomBytes(32)
  const path = join(dir, `jwt-${files++}.hex`)
  writeFileSync(path, secret.toString('hex'))
  return { path, secret, hex: secret.toString('hex') }
}

/** A compiled sibling module of this file (benches run from the build output). */
export const sibling = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url))

export type EngineStats = { getPayloadWaitMs: number[]; getPayloadRunMs: number[]; newPayloads: number }
export type EngineProc = {
  url: string
  jwt: ReturnType<typeof jwtFile>
  pid: number
  stats(): Promise<EngineStats>
  stop(): Promise<void>
}

/** engine-sim in a child process, genesis `aheadS` seconds in the future so fast slots never pass a deadline. */
export async function startEngineProcess(aheadS = 30): Promise<EngineProc> {
  const jwt = jwtFile()
  const child = fork(sibling('_engineChild.js'), [], {
    env: {
      ...process.env,
      SG_BENCH_ENGINE_JWT: jwt.hex,
      SG_BENCH_GENESIS: String(Math.floor(Date.now() / 1000) + aheadS),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url))
    child.once('exit', (code) => reject(new Error(`engine child exited (${code})`)))
  })
  return {
    url,
    jwt,
    pid: child.pid!,
    stats: () =>
      new Promise<EngineStats>((resolve) => {
        const on = (m: { stats?: EngineStats }) => {
          if (m.stats) {
            child.off('message', on)
            resolve(m.stats)
          }
        }
        child.on('message', on)
        child.send({ stats: true })
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.disconnect()
      }),
  }
}

/** Runs a worker-thread entry to completion and resolves with the first message it posts. */
export function runWorker<T>(file: string, data: unknown): Promise<T> {
  const w = new Worker(sibling(file), { workerData: data })
  return new Promise<T>((resolve, reject) => {
    w.once('message', (m: T) => {
      resolve(m)
      void w.terminate()
    })
    w.once('error', reject)
    w.once('exit', (code) => reject(new Error(`${file} exited (${code}) without a result`)))
  })
}

/** Nearest-rank percentile. */
export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}

export const r2 = (x: number) => Math.round(x * 100) / 100

/**
 * CPU time (ms, user + system) of this process's main thread, from /proc (Linux; undefined elsewhere).
 * Unlike wall time it does not grow while the thread waits for a core, so per-request costs read from
 * it hold on a shared machine.
 */
export function mainThreadCpuMs(): number | undefined {
  return procCpuMs(`/proc/self/task/${process.pid}/stat`)
}

/** CPU time (ms) of a whole process (all its threads), e.g. the engine child. */
export function processCpuMs(pid: number): number | undefined {
  return procCpuMs(`/proc/${pid}/stat`)
}

function procCpuMs(path: string): number | undefined {
  try {
    const stat = readFileSync(path, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the command name; clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return undefined
  }
}
