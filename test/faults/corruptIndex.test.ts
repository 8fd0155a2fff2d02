import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startAnvil } from '../../src/devnet/anvil.js'
import { type Supervisor, startSupervisor, supervisorConfig } from '../../src/supervisor/index.js'
import { toQuantity } from '../../src/util/hex.js'
import { captureLog } from '../_helpers/captureLog.js'
import { type FixedChainRpc, startFixedChainRpc } from '../_helpers/fixedChainRpc.js'
import { type IndexFixture, writeIndexFixture } from '../_helpers/writeIndexFixture.js'
import { corruptFile } from './corruptFile.js'

// 64 KiB of garbage in the middle of a log index (issue 7, item 5): refused at start with one line
// naming the file; corrupted under a running supervisor, every check touching a bad page answers
// -32603 on its own (its batch neighbours keep their verdicts), the error is logged once per
// interval with a count and counted in a metric, and /healthz turns 503 naming the reason.

const LOGS = 60_000 // ~8 MB: the middle lands in the logs table's pages
const dir = mkdtempSync(join(tmpdir(), 'sg-corrupt-index-'))
let template: IndexFixture
let rpcs: FixedChainRpc[] = []
const sups: Supervisor[] = []

test.before(async () => {
  template = await writeIndexFixture(join(dir, 'template.db'), { logs: LOGS })
  rpcs = [
    await startFixedChainRpc(template.sourceChain, template.head),
    await startFixedChainRpc(template.execChain, template.execHead),
  ]
})

test.after(async () => {
  await Promise.all(sups.map((s) => s.close()))
  await Promise.all(rpcs.map((r) => r.close()))
  rmSync(dir, { recursive: true, force: true })
})

/** A fresh copy of the fixture (backup API: a consistent file, no WAL) at `name`. */
async function copyOfFixture(name: string): Promise<string> {
  const path = join(dir, name)
  const src = new Database(template.path, { readonly: true })
  await src.backup(path)
  src.close()
  return path
}

function argv(db: string): string[] {
  return [
    '--rpc',
    `${template.sourceChain}=${rpcs[0]!.url}`,
    '--rpc',
    `${template.execChain}=${rpcs[1]!.url}`,
    '--db',
    db,
    '--port',
    '0',
    '--poll',
    '200ms',
    '--log-level',
    'silent',
  ]
}

/** The indexes of the fixture's logs whose look-up fails on the corrupted file (the oracle: SQLite itself). */
function badLogs(path: string): number[] {
  const db = new Database(path, { readonly: true })
  const st = db.prepare('SELECT checksum FROM logs WHERE chain = 1 AND block_number = ? AND log_index = ?')
  const bad: number[] = []
  for (let i = 0; i < LOGS; i++) {
    const a = template.access(i)
    try {
      st.get(a.blockNumber, a.logIndex)
    } catch {
      bad.push(i)
    }
  }
  db.close()
  return bad
}

const descriptor = () => ({
  chainID: template.execChain.toString(),
  timestamp: toQuantity(template.head.timestamp + 10n),
})
const check = (i: number, id: number) => ({
  jsonrpc: '2.0',
  id,
  method: 'supervisor_checkAccessList',
  params: [template.entries(i), 'unsafe', descriptor()],
})

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, json: await res.json() }
}

test('a corrupt index is refused at start: an IndexDbError naming the file, nothing listens', async () => {
  const path = await copyOfFixture('start.db')
  corruptFile(path, { at: 'middle' })
  const err = await startSupervisor(supervisorConfig({ argv: argv(path) }), { progress: false }).then(
    (s) => {
      sups.push(s)
      return undefined
    },
    (e: unknown) => e as Error,
  )
  assert.ok(err, 'the supervisor started on a corrupt index')
  assert.is(err!.name, 'IndexDbError')
  assert.ok(err!.message.includes(path), err!.message)
  assert.match(err!.message, /corrupt/)
})

test("--startup-check background: a corrupt index serves at once; the worker's quick_check finds it, logs it, /healthz 503", async () => {
  const path = await copyOfFixture('background.db')
  corruptFile(path, { at: 'middle' })
  const { logger, lines } = captureLog()
  const sup = await startSupervisor(supervisorConfig({ argv: [...argv(path), '--startup-check', 'background'] }), {
    progress: false,
    logger,
  })
  sups.push(sup)
  // Serving before the check ends: a check of a log on a sound page is answered.
  assert.is(((await post(sup.url, check(0, 1))).json as { result?: unknown }).result, null)
  const result = await sup.indexer!.quickCheck!
  assert.ok(result?.corrupt, JSON.stringify(result))
  const health = await fetch(`${sup.url}/healthz`)
  const body = (await health.json()) as { storage?: { problem?: string } }
  assert.is(health.status, 503, JSON.stringify(body))
  assert.match(body.storage?.problem ?? '', /damaged \(SQLITE_CORRUPT/)
  const failed = lines.find((l) => l.msg.startsWith('log index quick_check failed'))
  assert.ok(failed, JSON.stringify(lines.map((l) => l.msg)))
  assert.is(failed!.level, 50)
  assert.match(String(failed!.problem), /quick_check/)
})

test('--startup-check background on a sound index: passed, logged with its time, /healthz stays 200', async () => {
  const path = await copyOfFixture('background-ok.db')
  const { logger, lines } = captureLog()
  const sup = await startSupervisor(supervisorConfig({ argv: [...argv(path), '--startup-check', 'background'] }), {
    progress: false,
    logger,
  })
  sups.push(sup)
  assert.ok(sup.indexer!.quickCheck, 'the check runs on a worker')
  const result = await sup.indexer!.quickCheck
  assert.is(result, undefined)
  await sup.ready
  assert.is((await fetch(`${sup.url}/healthz`)).status, 200)
  assert.ok(lines.some((l) => l.msg === 'log index quick_check passed' && typeof l.ms === 'number'))
})

test('--startup-check background with --rebuild-corrupt-db is refused (the rebuild needs the check first)', () => {
  assert.throws(
    () => supervisorConfig({ argv: [...argv('/x.db'), '--startup-check', 'background', '--rebuild-corrupt-db'] }),
    /--rebuild-corrupt-db needs the start-up check before serving/,
  )
})

test('corrupted under a running supervisor: -32603 per check, batch neighbours answered, logged, counted, /healthz 503', async () => {
  const path = await copyOfFixture('runtime.db')
  const { logger, lines } = captureLog()
  const sup = await startSupervisor(supervisorConfig({ argv: argv(path) }), { progress: false, logger })
  sups.push(sup)
  await sup.ready
  assert.is((await fetch(`${sup.url}/healthz`)).status, 200)
  assert.is(
    (await post(sup.url, check(0, 1))).json && ((await post(sup.url, check(0, 1))).json as { result?: unknown }).result,
    null,
  )

  corruptFile(path, { at: 'middle' })
  const bad = badLogs(path)
  assert.ok(bad.length > 0, 'the garbage hit no log page')
  const good = [0, LOGS - 1].filter((i) => !bad.includes(i))
  assert.ok(good.length > 0)

  const single = await post(sup.url, check(bad[0]!, 7))
  assert.is(single.status, 200)
  assert.equal((single.json as { error?: { code: number; message: string } }).error, {
    code: -32603,
    message: 'internal error',
  })

  const batch = await post(sup.url, [
    check(good[0]!, 1),
    check(bad[0]!, 2),
    check(bad.at(-1)!, 3),
    check(good.at(-1)!, 4),
  ])
  assert.is(batch.status, 200, JSON.stringify(batch.json))
  const byId = new Map(
    (batch.json as { id: number; result?: unknown; error?: { code: number } }[]).map((r) => [r.id, r]),
  )
  assert.is(byId.get(1)?.result, null)
  assert.is(byId.get(2)?.error?.code, -32603)
  assert.is(byId.get(3)?.error?.code, -32603)
  assert.is(byId.get(4)?.result, null)

  const health = await fetch(`${sup.url}/healthz`)
  const body = (await health.json()) as { ok: boolean; storage?: { problem?: string } }
  assert.is(health.status, 503, JSON.stringify(body))
  assert.match(body.storage?.problem ?? '', /SQLITE_CORRUPT|malformed|corrupt/)

  const metrics = await (await fetch(`${sup.url}/metrics`)).text()
  const counted = /superguard_logindex_storage_errors_total\{[^}]*op="read"[^}]*\} (\d+)/.exec(metrics)
  assert.ok(
    counted && Number(counted[1]) >= 3,
    metrics
      .split('\n')
      .filter((l) => l.includes('storage'))
      .join('\n'),
  )

  const logged = lines.filter((l) => l.msg.includes('storage error'))
  assert.is(logged.length, 1, JSON.stringify(lines.slice(-5)))
  assert.is(logged[0]!.level, 50) // error
  assert.ok(String(logged[0]!.dbPath).includes(path))
})

test('a storage error while indexing is logged once, counted as a write error and turns /healthz 503', async () => {
  const anvil = await startAnvil({ chainId: 901 })
  try {
    const path = join(dir, 'write.db')
    const { logger, lines } = captureLog()
    const sup = await startSupervisor(
      supervisorConfig({
        argv: ['--rpc', anvil.url, '--db', path, '--port', '0', '--poll', '100ms', '--log-level', 'silent'],
      }),
      { progress: false, logger },
    )
    sups.push(sup)
    await sup.ready
    // Everything into the main file, then garbage over every page but the first (the schema):
    // the next commit reads a table's root page and fails in SQLite.
    const other = new Database(path)
    other.pragma('wal_checkpoint(TRUNCATE)')
    other.close()
    corruptFile(path, { at: 4096, kib: Math.ceil((statSync(path).size - 4096) / 1024) })
    await fetch(anvil.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'evm_mine', params: [] }),
    })

    // No event tells of a failed commit (that is the point): poll /healthz, bounded.
    let body: { storage?: { problem?: string } } = {}
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && !body.storage; ) {
      const res = await fetch(`${sup.url}/healthz`)
      body = (await res.json()) as typeof body
      if (body.storage) assert.is(res.status, 503)
      else await new Promise((r) => setTimeout(r, 50))
    }
    assert.match(body.storage?.problem ?? '', /SQLITE_CORRUPT/, JSON.stringify(body))
    const metrics = await (await fetch(`${sup.url}/metrics`)).text()
    assert.match(metrics, /superguard_logindex_storage_errors_total\{op="write",code="SQLITE_CORRUPT[A-Z_]*"\} [1-9]/)
    const logged = lines.filter((l) => l.msg.includes('storage error'))
    assert.is(logged.length, 1, JSON.stringify(logged))
    assert.is(logged[0]!.op, 'write')
    assert.is(
      lines.filter((l) => l.msg === 'indexing failed; retrying').length,
      0,
      'the storage error is logged by the storage tracker, not once per retry',
    )
  } finally {
    await anvil.stop()
  }
})

test.run()
