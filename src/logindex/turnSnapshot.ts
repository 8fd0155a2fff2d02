import type { Db } from './openDb.js'

/**
 * One read transaction per event-loop turn for look-ups that run outside any transaction (single
 * checks, one per HTTP request). An autocommit look-up takes and drops the WAL read lock and the
 * file's shared lock on its own (fcntl calls, slow on this VM): measured 14.6–18.5 CPU-µs per single
 * check against 5.7–6.3 inside a shared read transaction, on the bench's 100k-log index. The first
 * look-up of a turn opens a deferred BEGIN; a setImmediate after the turn's I/O callbacks commits
 * it, so every check of the turn reads one snapshot and the lock is taken once per turn.
 *
 * The writer shares this connection in the indexer's process: LogStore ends the turn's snapshot
 * before each write (`endTurnSnapshot`), so its transaction is its own (never a savepoint inside a
 * read) and reaches the file on its commit; look-ups after it in the same turn open a new
 * snapshot that sees it. Other connections' commits (a second process) become visible at the
 * next turn, at most one turn late.
 */
export class TurnSnapshot {
  readonly #db: Db
  readonly #begin: { run(): unknown }
  readonly #commit: { run(): unknown }
  #open = false
  readonly #end = () => this.end()

  constructor(db: Db, st: { begin: { run(): unknown }; commit: { run(): unknown } }) {
    this.#db = db
    this.#begin = st.begin
    this.#commit = st.commit
    snapshots.set(db, this)
  }

  /** Before an autocommit look-up: joins the turn's read transaction, opening it if there is none. */
  enter(): void {
    if (this.#open || this.#db.inTransaction) return
    this.#begin.run()
    this.#open = true
    setImmediate(this.#end)
  }

  /** Commits the turn's read transaction now (before a write on the connection, at the turn's end). */
  end(): void {
    if (!this.#open) return
    this.#open = false
    // Closed with the transaction open (shutdown): SQLite rolled it back on close.
    if (!this.#db.open || !this.#db.inTransaction) return
    try {
      this.#commit.run()
    } catch {
      // COMMIT of a read transaction fails only on an I/O error: roll back so the connection is
      // not left inside a transaction (the writer's next commit would nest in it and never reach
      // the file). The look-ups that hit the error already answered -32603 and recorded it.
      try {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK')
      } catch {
        // nothing left to undo
      }
    }
  }
}

const snapshots = new WeakMap<Db, TurnSnapshot>()

/** Ends the turn's read snapshot on `db`, if a reader holds one: the writer calls it before writing. */
export function endTurnSnapshot(db: Db): void {
  snapshots.get(db)?.end()
}
