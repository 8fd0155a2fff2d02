import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Registry } from 'prom-client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import { RpcCode } from '../../src/errors/index.js'
import type { Hex } from '../../src/interop/index.js'
import { signJwt } from '../../src/rpc/index.js'
import { AcceptedSet } from '../../src/store/acceptedSet.js'
import { startSweep } from '../../src/sweep/index.js'
import { captureLog } from '../_helpers/captureLog.js'
import { CLI_ENTRY } from '../_helpers/cli.js'
import { jsonRpc } from '../_helpers/jsonRpc.js'
import { type IndexFixture, writeIndexFixture } from '../_helpers/writeIndexFixture.js'

// The sweep polls admin_getFailsafeEnabled on every supervisor it knows and ORs the answers, as
// op-reth's quorum client does: two real `superguard supervisor` processes, failsafe switched with
// admin_setFailsafeEnabled (JWT), and the sweep keeping every transaction unchecked while it is on.

const dir = mkdtempSync(join(tmpdir(), 'sg-sweep-failsafe-'))
const secretFile = join(dir, 'admin.hex')
const secret = Buffer.from('5a'.repeat(32), 'hex')
writeFileSync(secretFile, secret.toString('hex'))
let anvil: Anvil
let fx: IndexFixture
const supervisors: { child: ChildProcess; url: string }[] = []

async function startSupervisor(n: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      CLI_ENTRY,
      'supervisor',
      '--rpc',
      anvil.url,
      '--port',
      '0',
      '--db',
      join(dir, `supervisor-${n}.db`),
      '--admin-jwt-secret',
      secretFile,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  for await (const line of createInterface({ input: child.stdout! })) {
    const rec = JSON.parse(line) as { msg?: string; url?: string }
    if (rec.msg === 'supervisor listening' && rec.url) return { child, url: rec.url }
  }
  throw new Error(`supervisor ${n} exited before listening`)
}

async function setFailsafe(url: string, on: boolean): Promise<void> {
  const r = await jsonRpc(url, 'admin_setFailsafeEnabled', [on], { authorization: `Bearer ${signJwt(secret)}` })
  assert.is(r.error, undefined, JSON.stringify(r))
}

/** Polls (no event exists for a remote state) until `cond` holds, within 5 s. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`not within 5 s: ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

test.before(async () => {
  anvil = await startAnvil({ chainId: 901 })
  fx = await writeIndexFixture(join(dir, 'index.db'), { logs: 4 })
  supervisors.push(...(await Promise.all([startSupervisor(1), startSupervisor(2)])))
})

test.after(async () => {
  for (const s of supervisors) {
    const exited = once(s.child, 'exit')
    s.child.kill('SIGTERM')
    await exited
  }
  await anvil?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex

test('failsafe at either supervisor: rounds keep every transaction unchecked (-320602); off at both: checks resume', async () => {
  const set = new AcceptedSet()
  const [lookup] = fx.entries(1)
  const now = Date.now()
  set.add({ hash: h(1), raw: '0x', inboxEntries: fx.entries(0), firstSeen: now })
  set.add({ hash: h(2), raw: '0x', inboxEntries: [lookup!, `0x03${'77'.repeat(31)}`], firstSeen: now }) // forged
  const registry = new Registry()
  const cap = captureLog()
  const sweep = await startSweep(
    {
      source: 'accepted',
      mode: 'index',
      index: fx.path,
      chainId: '902',
      threads: 1,
      failsafePoll: 50,
      failsafeSupervisor: supervisors.map((s) => s.url),
    },
    { acceptedSet: set, logger: cap.logger, registry },
  )
  const gauge = async () =>
    (await registry.getSingleMetric('superguard_sweep_failsafe_enabled')!.get()).values[0]!.value
  try {
    assert.is(sweep.failsafe, false)
    let r = await sweep.runOnce()
    assert.equal(
      r.transactions.map((t) => [t.action, t.code]),
      [
        ['valid', 0],
        ['evict', RpcCode.ConflictingData],
      ],
    )

    await setFailsafe(supervisors[1]!.url, true)
    await until(() => sweep.failsafe, 'failsafe seen on')
    assert.is(await gauge(), 1)
    r = await sweep.runOnce()
    assert.equal(
      r.transactions.map((t) => [t.action, t.code]),
      [
        ['keep', RpcCode.FailsafeEnabled],
        ['keep', RpcCode.FailsafeEnabled],
      ],
    )
    assert.equal(r.accesses, { declared: 0, unique: 0, chunks: 0 }, 'no check is sent')
    assert.equal(r.byCode, { 'keep:FailsafeEnabled': 2 })

    // On at both, then off at one: still on (OR); off at both: off.
    await setFailsafe(supervisors[0]!.url, true)
    await setFailsafe(supervisors[1]!.url, false)
    await new Promise((r) => setTimeout(r, 200)) // 4 polls
    assert.is(sweep.failsafe, true, 'one supervisor still says on')
    await setFailsafe(supervisors[0]!.url, false)
    await until(() => !sweep.failsafe, 'failsafe seen off')
    assert.is(await gauge(), 0)
    r = await sweep.runOnce()
    assert.equal(
      r.transactions.map((t) => t.action),
      ['valid', 'evict'],
    )
    const changes = cap.lines.filter((l) => /^failsafe (on|off)/.test(String(l.msg)))
    assert.equal(
      changes.map((l) => [l.msg, l.failsafe]),
      [
        ['failsafe on at a supervisor: keeping every interop transaction unchecked', true],
        ['failsafe off at every supervisor', false],
      ],
      'one line per change',
    )
  } finally {
    await sweep.close()
  }
})

test('the CLI shows the failsafe in /healthz', async () => {
  await setFailsafe(supervisors[0]!.url, true)
  const child = spawn(
    process.execPath,
    [
      CLI_ENTRY,
      'sweep',
      '--source',
      'txpool',
      '--rpc',
      anvil.url,
      '--supervisor',
      supervisors[0]!.url,
      '--interval',
      '1s',
      '--metrics-port',
      '0',
      '--failsafe-poll',
      '100ms',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const exited = once(child, 'exit')
  try {
    let url: string | undefined
    for await (const line of createInterface({ input: child.stdout! })) {
      const rec = JSON.parse(line) as { msg?: string; url?: string }
      if (rec.msg === 'sweep metrics listening') {
        url = rec.url!.replace(/\/metrics$/, '')
        break
      }
    }
    assert.ok(url, 'no "sweep metrics listening" line')
    const health = (await (await fetch(`${url}/healthz`)).json()) as { failsafe: boolean }
    assert.is(health.failsafe, true)
    const metrics = await (await fetch(`${url}/metrics`)).text()
    assert.match(metrics, /^superguard_sweep_failsafe_enabled 1$/m)
  } finally {
    child.kill('SIGTERM')
    await exited
    await setFailsafe(supervisors[0]!.url, false)
  }
})

test.run()
