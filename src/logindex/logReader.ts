import type { BlockRef, HeadLevel, LogReader, StoredLog } from '../check/types.js'
import { type BlockRow, blockRefFromRow } from './blockRow.js'
import type { ChainState } from './chainState.js'
import { latestSchemaVersion, schemaVersion } from './migrate.js'
import { type Db, openDb } from './openDb.js'
import { prepareStatements, type Statements } from './statements.js'
import { type TurnSnapshot, turnSnapshotOf } from './turnSnapshot.js'

const MAX_INT64 = (1n << 63n) - 1n

/**
 * LogReader over a better-sqlite3 handle: every method is one prepared primary-key look-up.
 * In the indexer's process heads and readiness come from the writer's memory (`state`); a
 * read-only reader (another thread or process) reads them from the heads table.
 */
export class IndexLogReader implements LogReader {
  readonly #db: Db
  readonly #st: Statements
  readonly #state: ChainState
  readonly #keys = new Map<bigint, number>()
  readonly #configured: readonly bigint[] | undefined
  readonly #turn: TurnSnapshot | undefined

  /**
   * `heldSnapshot`: look-ups share one read transaction held across turns (TurnSnapshot, the
   * connection's one, which the writer ends before each write): for the reader on the writer's
   * own connection, with heads from its memory (`state`). On another connection heads are read in
   * the held snapshot too (one view), which lags that connection's writer by up to the cap.
   * Without it every look-up outside `snapshot()` is an autocommit statement (the read-only
   * readers of the sweep workers).
   */
  constructor(db: Db, opts: { chains?: readonly bigint[]; state?: ChainState; heldSnapshot?: boolean } = {}) {
    this.#db = db
    this.#st = prepareStatements(db)
    this.#configured = opts.chains
    this.#turn = opts.heldSnapshot ? turnSnapshotOf(db) : undefined
    this.#state = opts.state ?? new TableChainState(this.#st, this.#turn)
    this.#loadKeys()
  }

  chains(): readonly bigint[] {
    if (this.#configured) return this.#configured
    this.#loadKeys()
    return [...this.#keys.keys()]
  }

  isReady(chainId: bigint): boolean {
    const key = this.#key(chainId)
    return key !== undefined && this.#state.isReady(key)
  }

  head(chainId: bigint, level: HeadLevel): BlockRef | undefined {
    const key = this.#key(chainId)
    return key === undefined ? undefined : this.#state.head(key, level)
  }

  block(chainId: bigint, number: bigint): BlockRef | undefined {
    const key = this.#key(chainId)
    if (key === undefined || number < 0n || number > MAX_INT64) return undefined
    const st = this.#st.block
    const row = (this.#turn ? this.#turn.get(st, key, number) : st.get(key, number)) as BlockRow | undefined
    return row && blockRefFromRow(row)
  }

  findLog(chainId: bigint, blockNumber: bigint, logIndex: number): StoredLog | undefined {
    const key = this.#key(chainId)
    if (key === undefined || blockNumber < 0n || blockNumber > MAX_INT64) return undefined
    const st = this.#st.findLog
    return (this.#turn ? this.#turn.get(st, key, blockNumber, logIndex) : st.get(key, blockNumber, logIndex)) as
      | StoredLog
      | undefined
  }

  snapshot<T>(fn: () => T): T {
    if (this.#turn) {
      // The held snapshot is the batch's view too (nested snapshots, the writer's transaction: joined).
      this.#turn.enter()
      return fn()
    }
    // Already inside a transaction (a nested snapshot, the writer's own): that one is the view.
    if (this.#db.inTransaction) return fn()
    // A deferred BEGIN takes the read lock at the first look-up and holds it to COMMIT: measured
    // 1.7x the look-ups/s of autocommit statements in batches of 100.
    this.#st.begin.run()
    try {
      return fn()
    } finally {
      this.#endSnapshot()
    }
  }

  /**
   * COMMIT of the read transaction; when that fails (an I/O error), ROLLBACK so the connection
   * does not keep a read transaction open: in the indexer's process it is the writer's
   * connection, whose next commits would nest inside it and never reach the file.
   */
  #endSnapshot(): void {
    if (!this.#db.inTransaction) return
    try {
      this.#st.commit.run()
    } catch (err) {
      try {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK')
      } catch {
        // the COMMIT's error is the one to report
      }
      throw err
    }
  }

  #key(chainId: bigint): number | undefined {
    const key = this.#keys.get(chainId)
    if (key !== undefined) return key
    // A reader opened before the indexer registered the chain picks it up on first use.
    const row = this.#st.chainByChainId.get(chainId.toString()) as { id: bigint } | undefined
    if (!row) return undefined
    this.#keys.set(chainId, Number(row.id))
    return Number(row.id)
  }

  #loadKeys(): void {
    for (const r of this.#st.allChains.all() as { id: bigint; chain_id: string }[])
      this.#keys.set(BigInt(r.chain_id), Number(r.id))
  }
}

/** Heads and readiness read from the tables, for readers outside the writer's process. */
class TableChainState implements ChainState {
  readonly #st: Statements
  readonly #turn: TurnSnapshot | undefined
  /** With a held snapshot, heads are read in it too: one view of heads and rows. */
  constructor(st: Statements, turn: TurnSnapshot | undefined) {
    this.#st = st
    this.#turn = turn
  }

  head(key: number, level: HeadLevel): BlockRef | undefined {
    const row = this.#get(this.#st.head, key, level) as BlockRow | undefined
    return row && blockRefFromRow(row)
  }

  isReady(key: number): boolean {
    const row = this.#get(this.#st.readyOfChain, key) as { ready: bigint } | undefined
    return row?.ready === 1n
  }

  #get(stmt: Statements['head'], ...args: unknown[]): unknown {
    return this.#turn ? this.#turn.get(stmt, ...args) : stmt.get(...args)
  }
}

/**
 * Opens the index at `path` read-only (WAL lets it read while the indexer writes), e.g. in a
 * sweep worker. Close it with `close()`.
 */
export function openLogReader(path: string): LogReader & { close(): void } {
  const db = openDb(path, { readonly: true })
  const version = schemaVersion(db)
  if (version < latestSchemaVersion()) {
    db.close()
    throw new Error(
      `log index at ${path} has schema version ${version}, this build needs ${latestSchemaVersion()}: start the indexer once to migrate it`,
    )
  }
  const reader = new IndexLogReader(db)
  return Object.assign(reader, { close: () => db.close() })
}
