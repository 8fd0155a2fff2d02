import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import Database from 'better-sqlite3'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import { type DevChain, DevSigner, emitInitiating, sendExecuting, setupChain } from '../../src/devnet/messages.js'
import { DUMP } from '../../src/logindex/statements.js'
import { INDEXER_PROCESS } from '../_helpers/indexerProcess.js'
import { indexIntegrity } from '../_helpers/indexIntegrity.js'

const dir = mkdtempSync(join(tmpdir(), 'sg-crash-'))
const anvils: Anvil[] = []
const children = new Set<ChildProcess>()
let chains: DevChain[] = []

/** Runs the indexer process; `until(re, n)` resolves after its n-th stdout line matching `re`. */
function runIndexer(dbPath: string, maxRange: number) {
  const args = ['--db', dbPath, '--max-range', String(maxRange), ...anvils.flatMap((a) => ['--rpc', a.url])]
  const child = spawn(process.execPath, [INDEXER_PROCESS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  const exited = once(child, 'exit')
  exited.then(
    () => children.delete(child),
    () => {},
  )
  let stderr = ''
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  const lines: string[] = []
  const waiters: (() => void)[] = []
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(l)
    for (const w of waiters.splice(0)) w()
  })
  const until = (re: RegExp, n = 1) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (lines.filter((l) => re.test(l)).length >= n ? resolve() : waiters.push(check))
      exited.then(
        () => reject(new Error(`indexer exited before ${n} × ${re}: ${stderr.slice(-800)}`)),
        () => {},
      )
      check()
    })
  return { child, until, exited, lines }
}

function dump(dbPath: string): unknown {
  const db = new Database(dbPath, { readonly: true })
  try {
    return Object.fromEntries(
      (['chains', 'blocks', 'logs', 'execMsgs'] as const).map((k) => [k, db.prepare(DUMP[k]).raw().all()]),
    )
  } finally {
    db.close()
  }
}

function count(dbPath: string, q: string): number {
  const db = new Database(dbPath, { readonly: true })
  try {
    return (db.prepare(q).raw().all() as unknown[][]).length
  } finally {
    db.close()
  }
}

test.before(async () => {
  anvils.push(await startAnvil({ chainId: 901 }), await startAnvil({ chainId: 902 }))
  chains = await Promise.all(anvils.map((a) => setupChain(a.url)))
  const signer = new DevSigner()
  const [a, b] = chains as [DevChain, DevChain]
  for (let i = 0; i < 8; i++) {
    for (const c of chains) {
      const msgs = await emitInitiating(c, signer, { count: 40 + i * 40 })
      if (c === a && i % 3 === 0) await sendExecuting(b, signer, msgs[0]!)
      await c.client.request({ method: 'anvil_mine' as never, params: ['0x64'] as never })
    }
  }
})

test.after(async () => {
  for (const c of children) c.kill('SIGKILL')
  await Promise.all(anvils.map((a) => a.stop()))
  rmSync(dir, { recursive: true, force: true })
})

test('kill -9 mid-backfill leaves a consistent index that resumes to the same result as one run', async () => {
  const dbPath = join(dir, 'crashed.db')
  const latest = await Promise.all(
    chains.map(async (c) => BigInt(await c.client.request({ method: 'eth_blockNumber' }))),
  )
  let commits = 3
  for (let round = 0; round < 3; round++) {
    // Small ranges: many commits, so each kill lands mid-backfill.
    const run = runIndexer(dbPath, 8)
    await run.until(/^commit /, commits)
    run.child.kill('SIGKILL')
    await run.exited
    assert.equal(indexIntegrity(dbPath), [], `consistent after kill ${round + 1}`)
    commits += 7
  }
  const stored = count(dbPath, DUMP.blocks)
  assert.ok(
    stored < latest.reduce((s, n) => s + Number(n) + 1, 0),
    `killed before the backfill finished (${stored} blocks stored)`,
  )

  const resumed = runIndexer(dbPath, 1000)
  await resumed.until(/^ready$/)
  resumed.child.kill('SIGTERM')
  await resumed.exited
  assert.equal(indexIntegrity(dbPath), [])

  const freshPath = join(dir, 'fresh.db')
  const fresh = runIndexer(freshPath, 1000)
  await fresh.until(/^ready$/)
  fresh.child.kill('SIGTERM')
  await fresh.exited

  const a = dump(dbPath) as Record<string, unknown[]>
  const b = dump(freshPath) as Record<string, unknown[]>
  assert.is(
    a.blocks!.length,
    latest.reduce((s, n) => s + Number(n) + 1, 0),
    'every block of both chains',
  )
  assert.ok(a.logs!.length > 2000, `logs stored (${a.logs!.length})`)
  assert.ok(a.execMsgs!.length >= 3, 'executing messages stored')
  assert.equal(a, b, 'resumed index equals one built in one go')
})

test.run()
