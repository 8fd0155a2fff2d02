import type { Logger } from 'pino'
import { Counter, type Registry } from 'prom-client'
import { FailureLog } from '../util/failureLog.js'

/** SQLite result codes that mean the file or the disk under it failed (extended codes included: SQLITE_IOERR_SHORT_READ…). */
const STORAGE = /^SQLITE_(CORRUPT|NOTADB|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL|NOLFS|PERM)/
/** Codes that do not heal: the file is damaged until it is repaired or rebuilt. */
const DAMAGE = /^SQLITE_(CORRUPT|NOTADB)/

/** The SQLite code of a storage failure (the file or disk, not a bad statement or a busy lock), else undefined. */
export function storageErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && STORAGE.test(code) ? code : undefined
}

export type StorageOp = 'read' | 'write'

export type StorageErrorsOptions = {
  dbPath: string
  logger: Logger
  registry?: Registry | undefined
  /** At most one log line per this many ms (the rest are counted into the next line). Default 10 s. */
  logIntervalMs?: number
  /** A transient error (I/O, disk full) stops failing /healthz after this long without another. Default 30 s. */
  clearAfterMs?: number
  now?: () => number
}

/**
 * Storage failures of the log index at run time (reads answering checks, the indexer's writes):
 * counted in superguard_logindex_storage_errors_total{op,code}, logged at error level once per
 * interval with the count since the last line, and kept for /healthz. Corruption (SQLITE_CORRUPT,
 * SQLITE_NOTADB) fails /healthz until the process restarts: the file does not repair itself, and an
 * index with a bad page may answer "no such log" for a log it lost (see --check-db,
 * --rebuild-corrupt-db). I/O errors and a full disk clear after `clearAfterMs` without another.
 */
export class StorageErrors {
  readonly #o: Required<Omit<StorageErrorsOptions, 'registry'>>
  readonly #counter: Counter<'op' | 'code'>
  #damage: { code: string; since: number; count: number } | undefined
  #last: { code: string; at: number; count: number } | undefined
  /** Flushes the count of a burst when its interval ends, so that the last errors are not left unlogged. */
  readonly #log: FailureLog

  constructor(opts: StorageErrorsOptions) {
    this.#o = { logIntervalMs: 10_000, clearAfterMs: 30_000, now: Date.now, ...opts }
    this.#counter = new Counter({
      name: 'superguard_logindex_storage_errors_total',
      help: 'Storage failures of the log index (SQLite CORRUPT, NOTADB, IOERR, FULL, …) by op (read: a check or status; write: the indexer)',
      labelNames: ['op', 'code'] as const,
      registers: opts.registry ? [opts.registry] : [],
    })
    this.#log = new FailureLog(
      this.#o.logger,
      'log index storage error: checks touching it answer -32603',
      this.#o.logIntervalMs,
      { level: 'error', flush: true },
    )
  }

  /** Counts, logs and remembers `err` when it is a storage failure; returns its code, or undefined for any other error. */
  record(op: StorageOp, err: unknown): string | undefined {
    const code = storageErrorCode(err)
    if (code === undefined) return undefined
    const now = this.#o.now()
    this.#counter.inc({ op, code })
    if (DAMAGE.test(code)) {
      if (this.#damage) this.#damage.count++
      else this.#damage = { code, since: now, count: 1 }
    }
    this.#last =
      this.#last && this.#last.code === code
        ? { code, at: now, count: this.#last.count + 1 }
        : { code, at: now, count: 1 }
    this.#log.failure(err, { dbPath: this.#o.dbPath, op, code, intervalMs: this.#o.logIntervalMs }, now)
    return code
  }

  /** Why /healthz must fail because of storage, or undefined. */
  problem(): string | undefined {
    const d = this.#damage
    if (d)
      return `index database damaged (${d.code}, ${d.count} errors since ${new Date(d.since).toISOString()}): restart with --rebuild-corrupt-db, or inspect it with --check-db`
    const l = this.#last
    if (l && this.#o.now() - l.at < this.#o.clearAfterMs)
      return `index storage failing (${l.code}, ${l.count} errors, last ${this.#o.now() - l.at} ms ago)`
    return undefined
  }

  close(): void {
    this.#log.close()
  }
}
