import Database from 'better-sqlite3'
import { PRAGMA } from './statements.js'

export type Db = Database.Database

/**
 * Opens the index database. The writer runs WAL with synchronous=NORMAL: a commit survives a
 * process crash (kill -9) and readers never block the writer; only a power loss can drop the
 * last commits, never corrupt the file. Integers are read as bigint (chain data is uint64).
 */
export function openDb(path: string, opts: { readonly?: boolean } = {}): Db {
  const readonly = opts.readonly ?? false
  const db = new Database(path, { readonly, fileMustExist: readonly, timeout: 5_000 })
  try {
    // The first pragma reads page 1: a damaged header or schema page throws here, with the file open.
    if (!readonly) db.pragma(PRAGMA.wal)
    db.pragma(PRAGMA.synchronousNormal)
    db.pragma(PRAGMA.foreignKeysOff)
    db.pragma(PRAGMA.cacheSize)
    db.pragma(PRAGMA.mmapSize)
    db.defaultSafeIntegers(true)
    return db
  } catch (err) {
    db.close()
    throw err
  }
}
