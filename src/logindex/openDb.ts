import { statSync } from 'node:fs'
import Database from 'better-sqlite3'
import { MMAP_BYTES, PRAGMA } from './statements.js'

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
    // Mapped only while the file fits the map: a partly mapped large file reads slower than none.
    db.pragma(fileBytes(path) <= MMAP_BYTES ? PRAGMA.mmapSize : PRAGMA.mmapOff)
    db.defaultSafeIntegers(true)
    return db
  } catch (err) {
    db.close()
    throw err
  }
}

/** Size of the database file (0 for a new file or :memory:); the WAL is not mapped. */
export function fileBytes(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}
