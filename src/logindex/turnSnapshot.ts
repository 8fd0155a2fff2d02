import type { Db } from './openDb.js'

/**
 * How long one held read snapshot may last. On the writer's own connection its view never falls
 * behind (every write ends it first); the cap bounds how long a commit of another connection (a
 * second process writing the same file) stays out of view, and how long the WAL read mark is held.
 */
export const TURN_SNAPSHOT_CAP_MS = 100

type Runnable = { run(): unknown }

/** Runs `fn` once after `ms` unless cancelled; the default is an unref'd setTimeout (tests fire it by hand). */
export type Schedule = (fn: () => void, ms: number) => () => void

const timer: Schedule = (fn, ms) => {
  const t = setTimeout(fn, ms)
  t.unref()
  return () => clearTimeout(t)
}

/**
 * One read transaction held across the look-ups of many single checks on one connection (the
 * supervisor's checks: one per HTTP request, each a primary-key look-up). An autocommit look-up
 * takes and drops the WAL read mark and the file's shared lock on its own (fcntl calls): on an AMD
 * EPYC VM 14.6–18.5 CPU-µs per single check against 5.7–6.3 inside a shared read transaction; on
 * an Intel Xeon VM 3.7–6.4 against 3.4–5.1 (bench:check-cpu, median ÷ 0.84), and a BEGIN … COMMIT
 * per check costs more than autocommit (÷ 0.87–1.51). The first look-up opens a deferred BEGIN; it
 * stays open across the checks of that turn and the following ones until
 * - the writer needs the connection: LogStore calls `end()` before each write, so its
 *   transaction is its own (never a savepoint inside the read, whose commit would not reach the
 *   file and whose rollback would take rows that the in-memory heads already point at);
 * - the cap (TURN_SNAPSHOT_CAP_MS) falls due: a timer ends it between turns, never inside a
 *   synchronous check, so one check (or one batch) always reads one state;
 * - a look-up fails (an I/O error, a corrupt page): `abort()` rolls it back, the next look-up
 *   opens a fresh one (a ROLLBACK that cannot run yet is retried; the writer waits for it).
 * A snapshot asked for while the connection is already in a transaction (the writer's, a nested
 * batch) joins that one and holds nothing.
 *
 * Heads come from the writer's memory (ChainState), applied only after a commit. Since every
 * commit on the connection ends the held snapshot first, the snapshot opened after it sees every
 * row those heads point at, and none that a rewind deleted (test/logindex/turnSnapshot.test.ts).
 */
export class TurnSnapshot {
  readonly #db: Db
  readonly #begin: Runnable
  readonly #commit: Runnable
  readonly #rollbackSql: Runnable
  readonly #capMs: number
  readonly #schedule: Schedule
  #held = false
  /** A look-up failed inside it: it ends with ROLLBACK, never COMMIT. */
  #failed = false
  #cancel: (() => void) | undefined
  readonly #expire = () => {
    this.#cancel = undefined
    this.end()
  }

  /** `sql` replaces the BEGIN/COMMIT/ROLLBACK statements and `schedule` the cap's timer (tests). */
  constructor(
    db: Db,
    opts: {
      capMs?: number
      schedule?: Schedule
      sql?: Partial<Record<'begin' | 'commit' | 'rollback', Runnable>>
    } = {},
  ) {
    this.#db = db
    this.#capMs = opts.capMs ?? TURN_SNAPSHOT_CAP_MS
    this.#schedule = opts.schedule ?? timer
    this.#begin = opts.sql?.begin ?? db.prepare('BEGIN')
    this.#commit = opts.sql?.commit ?? db.prepare('COMMIT')
    this.#rollbackSql = opts.sql?.rollback ?? db.prepare('ROLLBACK')
    snapshots.set(db, this)
  }

  /** True while this object holds a read transaction open on the connection. */
  get held(): boolean {
    return this.#held
  }

  /** Before a look-up: joins the held read transaction, opening one if the connection has none. */
  enter(): void {
    if (this.#held) {
      if (this.#db.inTransaction) return
      // SQLite ended it on its own (an error rolls a transaction back): open a new one.
      this.#release()
    }
    if (this.#db.inTransaction) return
    this.#begin.run()
    this.#held = true
    this.#cancel = this.#schedule(this.#expire, this.#capMs)
  }

  /** One look-up in the held snapshot: a failure rolls it back (abort) and is thrown. */
  get(stmt: { get(...params: unknown[]): unknown }, ...params: unknown[]): unknown {
    this.enter()
    try {
      return stmt.get(...params)
    } catch (err) {
      // An I/O error or a corrupt page: the held snapshot goes (ROLLBACK), the next look-up opens a new one.
      this.abort()
      throw err
    }
  }

  /**
   * Commits the held read transaction (before a write on the connection, at the cap). A COMMIT of
   * a read transaction fails only on an I/O error: then ROLLBACK.
   */
  end(): void {
    if (!this.#held) return
    if (!this.#db.open || !this.#db.inTransaction) this.#release()
    else if (this.#failed) this.#rollback()
    else {
      try {
        this.#commit.run()
        this.#release()
      } catch {
        this.#rollback()
      }
    }
  }

  /** After a failed look-up: rolls the held snapshot back, so the next look-up starts a fresh one. */
  abort(): void {
    if (!this.#held) return
    this.#failed = true
    if (!this.#db.open || !this.#db.inTransaction) this.#release()
    else this.#rollback()
  }

  /**
   * ROLLBACK of the held read. If even that cannot run (the connection busy, an I/O error), it stays
   * held, with the cap's timer armed again to retry: the connection is never left inside a
   * transaction nobody owns (LogStore refuses to write inside one, WriteInReadError, until it ends).
   */
  #rollback(): void {
    try {
      this.#rollbackSql.run()
    } catch {
      // retried below
    }
    if (this.#db.open && this.#db.inTransaction) {
      this.#cancel?.()
      this.#cancel = this.#schedule(this.#expire, this.#capMs)
      return
    }
    this.#release()
  }

  #release(): void {
    this.#held = false
    this.#failed = false
    this.#cancel?.()
    this.#cancel = undefined
  }
}

const snapshots = new WeakMap<Db, TurnSnapshot>()

/** Ends the read snapshot held on `db`, if a reader holds one: the writer calls it before writing. */
export function endTurnSnapshot(db: Db): void {
  snapshots.get(db)?.end()
}

/** The connection's one TurnSnapshot (created on first use): the reader and the writer share it. */
export function turnSnapshotOf(db: Db): TurnSnapshot {
  return snapshots.get(db) ?? new TurnSnapshot(db)
}
