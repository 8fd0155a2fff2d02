import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs'
import { dirname } from 'node:path'
import type { Logger } from 'pino'
import { IndexDbError } from './errors.js'
import { latestSchemaVersion, migrate, schemaVersion } from './migrate.js'
import { type Db, openDb } from './openDb.js'
import { PRAGMA } from './statements.js'

export type OpenIndexOptions = {
  logger: Logger
  /** A corrupt file is moved aside as `<path>.corrupt-<time>` and a fresh index started (backfilled again). */
  rebuildCorrupt?: boolean
  /** false: no quick_check here (the caller runs `quickCheckFile` on a worker after the start). Default true. */
  quickCheck?: boolean
  now?: () => Date
}

/** First 16 bytes of every SQLite 3 database file. */
const MAGIC = Buffer.from('SQLite format 3\0', 'latin1')

/**
 * Opens the index the indexer writes, refusing a file it must not use with an IndexDbError (one
 * line: the path and the cause): a directory, an unwritable path, a file that is not a SQLite
 * database, a schema newer than this build, or a corrupt file. Corruption is found at open (page 1) or by
 * `PRAGMA quick_check` (every b-tree page and its cells, not the index-to-table cross-check that
 * integrity_check adds): measured 126 ms warm / 183 ms cold for a 1M-log index (93 MB), linear in
 * the file size (~1.4 ms/MB), so a start costs about a second per 700 MB of index.
 * Then migrates to this build's schema.
 */
export function openIndex(path: string, opts: OpenIndexOptions): Db {
  if (path === ':memory:') {
    const db = openDb(path)
    migrate(db)
    return db
  }
  checkPath(path)
  let db: Db
  try {
    db = openDb(path)
  } catch (err) {
    // Damage in the header or page 1 is found here (the WAL pragma reads page 1), before quick_check.
    return rebuildOrThrow(path, openFailure(path, err), opts)
  }
  try {
    const problem = opts.quickCheck === false ? undefined : quickCheck(db)
    if (problem !== undefined)
      throw new IndexDbError(
        path,
        'corrupt',
        `the database is corrupt (quick_check: ${problem}); run \`superguard supervisor --check-db\` for a full report, or start with --rebuild-corrupt-db to index afresh`,
      )
    const version = schemaVersion(db)
    const latest = latestSchemaVersion()
    if (version > latest)
      throw new IndexDbError(
        path,
        'newer-schema',
        `schema version ${version} is newer than this build's ${latest} (written by a newer superguard); upgrade, or use another --db`,
      )
    migrate(db)
    return db
  } catch (err) {
    db.close()
    return rebuildOrThrow(path, err instanceof IndexDbError ? err : openFailure(path, err), opts)
  }
}

/**
 * With rebuildCorrupt, a corrupt file (found at open or by quick_check) is moved aside and a fresh
 * index opened; any other failure, or a file without the SQLite magic, is thrown as it is.
 */
function rebuildOrThrow(path: string, failure: IndexDbError, opts: OpenIndexOptions): Db {
  // Only a file that starts with SQLite's magic is ours to move: never someone else's file.
  if (failure.kind !== 'corrupt' || !opts.rebuildCorrupt || !hasMagic(path)) throw failure
  const aside = moveAside(path, (opts.now ?? (() => new Date()))())
  opts.logger.warn(
    { dbPath: path, movedTo: aside, problem: failure.message },
    'corrupt log index moved aside: indexing afresh from the chains (--rebuild-corrupt-db)',
  )
  return openIndex(path, { ...opts, rebuildCorrupt: false })
}

/**
 * `PRAGMA integrity_check` of the file at `path` (the full check: also every index against its
 * table), opened read-only: the problems it reports (empty when the file is sound), or an
 * IndexDbError when the file cannot be read as a database at all.
 */
export function integrityCheck(path: string): string[] {
  if (!existsSync(path)) throw new IndexDbError(path, 'cannot-open', 'no such file')
  if (statSync(path).isDirectory()) throw new IndexDbError(path, 'directory', 'is a directory, not a database file')
  let db: Db
  try {
    db = openDb(path, { readonly: true })
  } catch (err) {
    throw openFailure(path, err)
  }
  try {
    const rows = db.pragma(PRAGMA.integrityCheck) as { integrity_check: string }[]
    const problems = rows.map((r) => r.integrity_check)
    return problems.length === 1 && problems[0] === 'ok' ? [] : problems
  } catch (err) {
    const failure = openFailure(path, err)
    if (failure.kind === 'corrupt') return [failure.message]
    throw failure
  } finally {
    db.close()
  }
}

/**
 * `PRAGMA quick_check` of the file at `path` on a read-only connection of its own (a read
 * transaction: the writer goes on meanwhile): undefined when it says ok, else the problem and
 * whether it is damage (corruption) rather than a failure to read (I/O). What the indexer runs on a
 * worker thread after a start that deferred the check (workers/quickCheck.ts).
 */
export function quickCheckFile(path: string): { problem: string; corrupt: boolean } | undefined {
  let db: Db | undefined
  try {
    db = openDb(path, { readonly: true })
    const problem = quickCheck(db)
    return problem === undefined ? undefined : { problem: `quick_check: ${problem}`, corrupt: true }
  } catch (err) {
    const failure = openFailure(path, err)
    return { problem: failure.message, corrupt: failure.kind === 'corrupt' }
  } finally {
    db?.close()
  }
}

/** The first problem quick_check reports (it stops at 1), or undefined when it says ok. A page too damaged to read throws: that is corruption too. */
function quickCheck(db: Db): string | undefined {
  const rows = db.pragma('quick_check(1)') as { quick_check: string }[]
  const first = rows[0]?.quick_check
  if (first === 'ok') return undefined
  // SQLite's report spans lines ("*** in database main ***\nTree 5 page 60: …"): one line here.
  return (first ?? 'no answer')
    .replace(/\*\*\* in database \w+ \*\*\*/, '')
    .trim()
    .replace(/\s*\n\s*/g, '; ')
}

/** Refuses before SQLite sees the path: a directory, or a file or directory we may not write. */
function checkPath(path: string): void {
  let st: ReturnType<typeof statSync>
  try {
    st = statSync(path, { throwIfNoEntry: false })
  } catch (err) {
    // ENOTDIR (a parent is a file), EACCES (a parent we may not search), ELOOP…
    throw new IndexDbError(
      path,
      'unwritable',
      `cannot create the database in ${dirname(path)} (${(err as NodeJS.ErrnoException).code})`,
      { cause: err },
    )
  }
  if (st?.isDirectory()) throw new IndexDbError(path, 'directory', 'is a directory, not a database file')
  if (st) {
    try {
      accessSync(path, constants.R_OK | constants.W_OK)
    } catch (err) {
      throw new IndexDbError(
        path,
        'unwritable',
        `the file is not readable and writable by this process (${(err as NodeJS.ErrnoException).code})`,
        { cause: err },
      )
    }
    if (st.size >= MAGIC.length && !hasMagic(path))
      throw new IndexDbError(
        path,
        'not-a-database',
        'the file is not a SQLite database (no "SQLite format 3" header); refusing to touch it',
      )
    return
  }
  const dir = dirname(path)
  try {
    mkdirSync(dir, { recursive: true })
    accessSync(dir, constants.W_OK)
  } catch (err) {
    throw new IndexDbError(
      path,
      'unwritable',
      `cannot create the database in ${dir} (${(err as NodeJS.ErrnoException).code})`,
      { cause: err },
    )
  }
}

function hasMagic(path: string): boolean {
  const fd = openSync(path, 'r')
  try {
    const head = Buffer.alloc(MAGIC.length)
    readSync(fd, head, 0, MAGIC.length, 0)
    return head.equals(MAGIC)
  } finally {
    closeSync(fd)
  }
}

/** An error of opening or first reading the file, as one line: corruption, not a database, cannot open, read-only. */
function openFailure(path: string, err: unknown): IndexDbError {
  if (err instanceof IndexDbError) return err
  const code = String((err as { code?: unknown }).code ?? '')
  const msg = (err as Error).message
  if (code.startsWith('SQLITE_CORRUPT'))
    return new IndexDbError(
      path,
      'corrupt',
      `the database is corrupt (${msg}); run \`superguard supervisor --check-db\` for a full report, or start with --rebuild-corrupt-db to index afresh`,
      { cause: err },
    )
  // The header is SQLite's but the rest is not a valid database: damage, not someone else's file.
  if (code === 'SQLITE_NOTADB')
    return hasMagic(path)
      ? new IndexDbError(
          path,
          'corrupt',
          `the database is corrupt (${msg}); start with --rebuild-corrupt-db to index afresh`,
          { cause: err },
        )
      : new IndexDbError(path, 'not-a-database', 'the file is not a SQLite database', { cause: err })
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH')
    return new IndexDbError(path, 'unwritable', `the database is not writable (${code})`, { cause: err })
  if (code.startsWith('SQLITE_'))
    return new IndexDbError(path, 'cannot-open', `cannot open the database (${code}: ${msg})`, { cause: err })
  return new IndexDbError(path, 'cannot-open', `cannot open the database (${msg})`, { cause: err })
}

/** Renames the file (and its WAL, which belongs to it) to `<path>.corrupt-<time>`; drops the shared-memory index, rebuilt from the WAL on open. */
function moveAside(path: string, at: Date): string {
  const aside = `${path}.corrupt-${at.toISOString().replace(/[:.]/g, '-')}`
  renameSync(path, aside)
  if (existsSync(`${path}-wal`)) renameSync(`${path}-wal`, `${aside}-wal`)
  rmSync(`${path}-shm`, { force: true })
  return aside
}
