import { once } from 'node:events'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import Database from 'better-sqlite3'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { latestSchemaVersion } from '../../src/logindex/migrate.js'
import { runCli, spawnCli } from '../_helpers/cli.js'
import { type FixedChainRpc, startFixedChainRpc } from '../_helpers/fixedChainRpc.js'
import { type IndexFixture, writeIndexFixture } from '../_helpers/writeIndexFixture.js'
import { corruptFile } from '../faults/corruptFile.js'

// `superguard supervisor` refuses a --db it must not use with one line on stderr naming the file
// and the cause, exit 2, no stack (issue 7, item 8); --check-db runs the full integrity check;
// --rebuild-corrupt-db moves a corrupt file aside and starts afresh. The real CLI, as a child.

const dir = mkdtempSync(join(tmpdir(), 'sg-db-startup-'))
// Never contacted: the database is refused before any endpoint is.
const NOWHERE = 'http://127.0.0.1:1'
let fx: IndexFixture
let corrupt: string
let rpcs: FixedChainRpc[] = []

test.before(async () => {
  fx = await writeIndexFixture(join(dir, 'good.db'), { logs: 5_000 })
  corrupt = join(dir, 'corrupt.db')
  await writeIndexFixture(corrupt, { logs: 5_000 })
  corruptFile(corrupt, { at: 'middle' })
})

test.after(async () => {
  await Promise.all(rpcs.map((r) => r.close()))
  rmSync(dir, { recursive: true, force: true })
})

/** Exit 2 and exactly one stderr line naming `path` and matching `cause`; no stack trace. */
async function refused(path: string, cause: RegExp, extra: string[] = []): Promise<void> {
  const r = await runCli(['supervisor', '--rpc', NOWHERE, '--db', path, '--port', '0', ...extra])
  assert.is(r.code, 2, r.stderr)
  const lines = r.stderr.trimEnd().split('\n')
  assert.is(lines.length, 1, r.stderr)
  assert.ok(lines[0]!.includes(path), r.stderr)
  assert.match(lines[0]!, cause)
  assert.not.match(r.stderr, /\n\s+at /)
}

test('--db a directory: exit 2, one line', async () => {
  const d = join(dir, 'a-directory')
  mkdirSync(d)
  await refused(d, /is a directory/)
})

test('--db a file that is not a database: exit 2, one line, the file untouched', async () => {
  const f = join(dir, 'genesis.json')
  writeFileSync(f, JSON.stringify({ config: { chainId: 901 }, alloc: {} }, null, 2).repeat(20))
  await refused(f, /not a SQLite database/)
  await refused(f, /not a SQLite database/, ['--rebuild-corrupt-db'])
  assert.ok(existsSync(f))
  assert.equal(
    readdirSync(dir).filter((n) => n.startsWith('genesis.json.')),
    [],
  )
})

test('--db where no directory can be made: exit 2, one line', async () => {
  const file = join(dir, 'plain-file')
  writeFileSync(file, 'x')
  await refused(join(file, 'sub', 'supervisor.db'), /cannot create the database in .*ENOTDIR/)
})

test('--db of a newer schema version: exit 2, one line', async () => {
  const f = join(dir, 'newer.db')
  const db = new Database(f)
  db.pragma(`user_version = ${latestSchemaVersion() + 1}`)
  db.close()
  await refused(
    f,
    new RegExp(`schema version ${latestSchemaVersion() + 1} is newer than this build's ${latestSchemaVersion()}`),
  )
})

test('--db corrupt (64 KiB of garbage in the middle): exit 2, one line naming the cure', async () => {
  await refused(corrupt, /corrupt .*--check-db.*--rebuild-corrupt-db/)
})

test('--check-db: ok and exit 0 on a sound file, the problems and exit 2 on a corrupt one; no --rpc needed', async () => {
  const ok = await runCli(['supervisor', '--check-db', '--db', fx.path])
  assert.is(ok.code, 0, ok.stderr)
  assert.is(ok.stdout, `${fx.path}: ok\n`)
  const bad = await runCli(['supervisor', '--check-db', '--db', corrupt])
  assert.is(bad.code, 2, bad.stderr)
  assert.ok(bad.stdout.trim().length > 0)
  assert.not.match(bad.stdout, /^ok$/m)
  const lines = bad.stderr.trimEnd().split('\n')
  assert.is(lines.length, 1, bad.stderr)
  assert.ok(lines[0]!.includes(corrupt))
  assert.match(lines[0]!, /corrupt/)
  const none = await runCli(['supervisor', '--check-db', '--db', join(dir, 'missing.db')])
  assert.is(none.code, 2)
  assert.match(none.stderr, /missing\.db: no such file/)
})

/**
 * Starts the supervisor with --rebuild-corrupt-db on `name` (a fixture damaged by `damage`): the file
 * is moved aside as <name>.corrupt-<time>, the supervisor listens on a fresh index, exits 0 on SIGTERM,
 * and the new file passes --check-db.
 */
async function rebuilds(name: string, damage: (path: string) => void): Promise<void> {
  if (rpcs.length === 0)
    rpcs = [await startFixedChainRpc(fx.sourceChain, fx.head), await startFixedChainRpc(fx.execChain, fx.execHead)]
  const path = join(dir, name)
  await writeIndexFixture(path, { logs: 5_000 })
  damage(path)
  const child = spawnCli([
    'supervisor',
    '--rpc',
    `901=${rpcs[0]!.url}`,
    '--rpc',
    `902=${rpcs[1]!.url}`,
    '--db',
    path,
    '--port',
    '0',
    '--rebuild-corrupt-db',
  ])
  const exited = once(child, 'exit')
  try {
    let stderr = ''
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    const seen: string[] = []
    for await (const line of createInterface({ input: child.stdout! })) {
      const rec = JSON.parse(line) as { msg?: string; movedTo?: string }
      seen.push(rec.msg ?? '')
      if (rec.msg === 'supervisor listening') break
    }
    assert.ok(seen.includes('supervisor listening'), stderr)
    const warn = seen.find((m) => m.startsWith('corrupt log index moved aside'))
    assert.ok(warn, seen.join('\n'))
    const aside = readdirSync(dir).filter((n) => n.startsWith(`${name}.corrupt-`) && !n.endsWith('-wal'))
    assert.is(aside.length, 1, readdirSync(dir).join(' '))
    child.kill('SIGTERM')
    const [code] = await exited
    assert.is(code, 0, stderr)
    const check = await runCli(['supervisor', '--check-db', '--db', path])
    assert.is(check.code, 0, check.stdout + check.stderr)
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}

test('--rebuild-corrupt-db: the corrupt file is moved aside as <db>.corrupt-<time> and a fresh index starts', async () => {
  await rebuilds('rebuild.db', (path) => corruptFile(path, { at: 'middle' }))
})

// Damage in page 1 (the header's page size, the schema's root) is found while opening the file (the
// WAL pragma reads page 1: SQLITE_NOTADB under a valid "SQLite format 3" magic), before quick_check:
// the rebuild must apply there too, not exit 2.
test('--rebuild-corrupt-db: page 1 garbled after the 16-byte magic: moved aside and a fresh index starts', async () => {
  await rebuilds('rebuild-page1.db', (path) => corruptFile(path, { at: 16, kib: 4 }))
})

test('page 1 garbled after the 16-byte magic, without --rebuild-corrupt-db: exit 2, one line naming the cure', async () => {
  const path = join(dir, 'page1.db')
  await writeIndexFixture(path, { logs: 5_000 })
  corruptFile(path, { at: 16, kib: 4 })
  await refused(path, /corrupt .*--rebuild-corrupt-db/)
  assert.ok(existsSync(path), 'the file is left in place')
})

test.run()
