import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import type { StorageErrors } from './storageErrors.js'

export const QUICK_CHECK_WORKER = fileURLToPath(new URL('../../workers/quickCheck.js', import.meta.url))

/**
 * quick_check reads every page of the file: ~1.4 ms/MB warm, so inline at start it costs ~1.5 s per
 * GiB (113 s for the 5.7 GB 100M-log index of bench:scale at load 59). Up to this size the start
 * waits for it; above, the index serves at once and checks on a worker (`--startup-check auto`).
 */
export const INLINE_CHECK_MAX_BYTES = 1024 ** 3

export type StartupCheck = 'auto' | 'inline' | 'background'

/**
 * Whether the start-up quick_check runs on a worker after the start rather than before it. A start
 * that may rebuild a corrupt file checks inline: the file can only be moved aside before serving.
 */
export function checksInBackground(mode: StartupCheck, bytes: number, rebuildCorrupt: boolean): boolean {
  if (rebuildCorrupt) return false
  return mode === 'background' || (mode === 'auto' && bytes > INLINE_CHECK_MAX_BYTES)
}

/** The outcome of a deferred quick_check: undefined when the file is sound. */
export type BackgroundCheckResult = { problem: string; corrupt: boolean } | undefined

/**
 * Runs the start-up quick_check of `path` on a worker thread. Damage found is recorded as a
 * SQLITE_CORRUPT storage error (counted, logged, /healthz 503 until a restart with
 * --rebuild-corrupt-db); a failure to read as SQLITE_IOERR (clears on its own). `result` resolves
 * with the outcome; `stop()` terminates a check still running (the indexer's close).
 */
export function checkInBackground(
  path: string,
  deps: { storage: StorageErrors; logger: Logger },
): { result: Promise<BackgroundCheckResult>; stop(): Promise<void> } {
  const started = performance.now()
  const { logger, storage } = deps
  logger.info({ dbPath: path }, 'log index quick_check runs in the background (large file): serving meanwhile')
  const worker = new Worker(QUICK_CHECK_WORKER, { workerData: { path } })
  let settled = false
  let resolve: (r: BackgroundCheckResult) => void = () => {}
  const result = new Promise<BackgroundCheckResult>((r) => {
    resolve = r
  })
  const settle = (r: BackgroundCheckResult) => {
    if (settled) return
    settled = true
    const ms = Math.round(performance.now() - started)
    if (r === undefined) logger.info({ dbPath: path, ms }, 'log index quick_check passed')
    else {
      logger.error(
        { dbPath: path, ms, problem: r.problem },
        'log index quick_check failed: restart with --rebuild-corrupt-db, or inspect it with --check-db',
      )
      storage.record(
        'read',
        Object.assign(new Error(r.problem), { code: r.corrupt ? 'SQLITE_CORRUPT' : 'SQLITE_IOERR' }),
      )
    }
    resolve(r)
  }
  worker.once('message', (m: BackgroundCheckResult | null) => settle(m ?? undefined))
  worker.once('error', (err) => settle({ problem: `the quick_check worker failed: ${err.message}`, corrupt: false }))
  return {
    result,
    stop: async () => {
      // closed before the check ended: no outcome (undefined), nothing recorded
      settled = true
      resolve(undefined)
      await worker.terminate()
    },
  }
}
