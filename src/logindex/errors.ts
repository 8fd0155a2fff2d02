import { StartupRefusal } from '../errors/startup.js'

/** The chain has no block at this number (yet, or any more after a reorg to a shorter chain). */
export class MissingBlockError extends Error {
  override name = 'MissingBlockError'
  readonly number: bigint
  constructor(number: bigint) {
    super(`the chain has no block ${number}`)
    this.number = number
  }
}

/** Headers and logs fetched for a range do not agree (the chain moved between calls, or the node lags). Refetch. */
export class InconsistentRangeError extends Error {
  override name = 'InconsistentRangeError'
}

/** A chain endpoint answered with another chain id than configured (a start-up refusal: exit 2). */
export class ChainIdMismatchError extends StartupRefusal {
  override name = 'ChainIdMismatchError'
  constructor(url: string, message: string) {
    super('chain-id-mismatch', url, message)
  }
}

/**
 * The index database cannot be used at start: a directory, not a SQLite file, unwritable, a newer
 * schema, or corrupt. The message is one line naming the file and the cause (the CLI exits 2 with it).
 */
export class IndexDbError extends Error {
  override name = 'IndexDbError'
  readonly path: string
  /** 'corrupt' can be repaired by --rebuild-corrupt-db; the others need the operator. */
  readonly kind: 'directory' | 'unwritable' | 'not-a-database' | 'newer-schema' | 'corrupt' | 'cannot-open'
  constructor(path: string, kind: IndexDbError['kind'], cause: string, opts: { cause?: unknown } = {}) {
    super(`--db ${path}: ${cause}`, opts)
    this.path = path
    this.kind = kind
  }
}

/**
 * A write to the index was asked for while its connection is inside a read transaction that the
 * writer does not own: it would nest in it as a savepoint (invisible to other connections, and lost
 * if that read is rolled back while the in-memory heads point at its rows), so it is refused.
 */
export class WriteInReadError extends Error {
  override name = 'WriteInReadError'
  constructor() {
    super('log index write refused: the connection is inside a read transaction the writer does not own')
  }
}
