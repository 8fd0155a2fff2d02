import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Db } from './openDb.js'
import { PRAGMA } from './statements.js'

const MIGRATION = /^(\d+)_[\w-]+\.sql$/

/**
 * schema/sqlite/ of the repository this file was compiled from. Walks up from the compiled file
 * because the build lands at different depths (dist/src/logindex, .build/<name>/src/logindex).
 */
export function schemaDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'schema', 'sqlite')
    if (existsSync(candidate)) return candidate
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  throw new Error(`schema/sqlite not found above ${fileURLToPath(import.meta.url)}`)
}

type Migration = { version: number; file: string }

function migrations(dir: string): Migration[] {
  return readdirSync(dir)
    .map((file) => ({ file, m: MIGRATION.exec(file) }))
    .filter((x): x is { file: string; m: RegExpExecArray } => x.m !== null)
    .map(({ file, m }) => ({ version: Number(m[1]), file }))
    .sort((a, b) => a.version - b.version)
}

/** The schema version this build expects (the highest numbered file). */
export function latestSchemaVersion(dir = schemaDir()): number {
  return migrations(dir).at(-1)?.version ?? 0
}

export function schemaVersion(db: Db): number {
  return Number(db.pragma(PRAGMA.userVersion, { simple: true }))
}

/**
 * Applies every numbered DDL file above PRAGMA user_version, each in its own transaction together
 * with the version bump, so a crash mid-migration leaves the previous version intact.
 * Returns the version now in the database.
 */
export function migrate(db: Db, dir = schemaDir()): number {
  let current = schemaVersion(db)
  for (const m of migrations(dir)) {
    if (m.version <= current) continue
    const sql = readFileSync(join(dir, m.file), 'utf8')
    db.transaction(() => {
      db.exec(sql)
      db.pragma(PRAGMA.setUserVersion(m.version))
    })()
    current = m.version
  }
  return current
}
