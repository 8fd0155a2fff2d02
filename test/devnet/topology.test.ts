import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as pause } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Manifest, ManifestProcess } from '../../src/devnet/topology/manifest.js'
import { readScenario, runScenario, type ScenarioResult } from '../../src/loadtest/index.js'
import { spawnCli } from '../_helpers/cli.js'

// One cluster for the whole file (39 processes take 20–50 s to start on 2 shared cores): 1 s slots.
const SLOT_S = 1
const dir = mkdtempSync(join(tmpdir(), 'superguard-topology-test-'))
const manifestPath = join(dir, 'manifest.json')
let devnet: ChildProcess
let out = ''
/** Every pid any manifest listed: none may be left when the devnet stopped. */
const seen = new Set<number>()

function manifest(): Manifest {
  const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest
  for (const p of m.processes) if (p.pid !== null) seen.add(p.pid)
  return m
}
const proc = (name: string): ManifestProcess => manifest().processes.find((p) => p.name === name)!

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(3_000),
  })
  const body = (await res.json()) as { result?: T; error?: { message: string } }
  if (body.error) throw new Error(`${method}: ${body.error.message}`)
  return body.result as T
}

/** Polls `fn` until it returns something other than undefined (bounded: no event to await across processes). */
async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await Promise.resolve(fn()).catch(() => undefined)
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${out.slice(-2000)}`)
    await pause(200)
  }
}

const chainA = () => manifest().chains.find((c) => c.name === 'A')!
const leaderOf = async (conductor: string) => (await rpc<{ id: string }>(conductor, 'conductor_leaderWithID')).id
const head = async (engine: string) => Number(BigInt(await rpc<string>(engine, 'eth_blockNumber')))
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

test.before(async () => {
  devnet = spawnCli(
    [
      'devnet',
      '--topology',
      '3x3',
      '--slot',
      `${SLOT_S}s`,
      '--restart',
      // Held down 5 s: a supervisor back within ~1.5 s may beat the conductor's two failed readings of
      // its sequencer (1 s apart, after the sequencer's own 1 s probe), and leadership need not move.
      '--restart-delay',
      '5s',
      '--watch-interval',
      '1s',
      '--manifest',
      manifestPath,
      '--data-dir',
      dir,
    ],
    {},
    { group: true },
  )
  devnet.stdout!.on('data', (c: Buffer) => {
    out += c.toString()
  })
  devnet.stderr!.on('data', (c: Buffer) => {
    out += c.toString()
  })
  await until('the cluster to be healthy', () => (/topology healthy in/.test(out) ? true : undefined), 120_000)
})

test.after(async () => {
  if (devnet.exitCode === null && devnet.signalCode === null) {
    process.kill(-devnet.pid!, 'SIGKILL')
    for (const pid of seen) if (alive(pid)) process.kill(-pid, 'SIGKILL')
  }
  rmSync(dir, { recursive: true, force: true })
})

test('the 3x3 cluster runs as separate processes, one leader per chain, every /healthz fine', async () => {
  const m = manifest()
  assert.is(m.processes.length, 39)
  const count = (role: string) => m.processes.filter((p) => p.role === role).length
  assert.equal(
    [count('engine-sim'), count('sequencer'), count('builder'), count('supervisor'), count('conductor-standin')],
    [9, 9, 9, 3, 3],
  )
  assert.equal([count('ingress'), count('sweep')], [3, 3])
  assert.is(new Set(m.processes.map((p) => p.pid)).size, 39)
  for (const p of m.processes) assert.ok(p.pid !== null && alive(p.pid), `${p.name} runs`)
  for (const p of m.processes.filter((x) => x.healthz)) {
    const res = await fetch(p.healthz!)
    assert.ok(res.status === 200 || res.status === 206, `${p.name} /healthz ${res.status}`)
  }
  // Each node's own conductor URL answers conductor_leader for that node: exactly one true per chain.
  for (const c of m.chains) {
    const info = await rpc<{ id: string; addr: string; suffrage: number }>(c.conductor, 'conductor_leaderWithID')
    assert.is(info.suffrage, 0)
    const members = await rpc<{ id: string; addr: string }[]>(c.conductor, 'conductor_clusterMembership')
    const leading = await Promise.all(members.map((s) => rpc<boolean>(`http://${s.addr}`, 'conductor_leader')))
    assert.equal(leading.filter(Boolean).length, 1)
    assert.is(members[leading.indexOf(true)]!.id, info.id)
  }
  // Supervisor i indexes Ai, Bi, Ci; supervisor 3 is the light rpc backend.
  assert.ok(proc('supervisor-3').log.length > 0)
  const engineA1 = proc('engine-sim-A1').engine!
  const before = await head(engineA1)
  await until('chain A to grow', async () => ((await head(engineA1)) > before + 1 ? true : undefined), 10_000)
})

/** Runs a scenario file of scenarios/ on this cluster (the chaos step kinds read the manifest). */
async function scenario(file: string): Promise<ScenarioResult> {
  const path = fileURLToPath(new URL(`../../../scenarios/${file}`, import.meta.url))
  return runScenario(readScenario(path), path, { manifest: manifestPath })
}

test('under steady traffic, kill -9 of a supervisor from the manifest: every ingress keeps accepting valid and refusing forged interop transactions', async () => {
  const r = await scenario('kill-supervisor.json')
  const f = r.chaos!
  const kill = f.faults.find((x) => x.action === 'kill')!
  assert.is(kill.target, 'supervisor-2')
  assert.ok(kill.pid !== null && !alive(kill.pid), 'the old pid is gone')
  assert.ok(proc('supervisor-2').restarts >= 1, 'restarted (--restart)')
  assert.is(f.forgedAccepted, 0)
  assert.ok(f.sent.forged > 0 && f.sent.valid > 0 && f.sent.plain > 0)
  assert.is(f.lost, 0, `lost ${JSON.stringify(f.lostExamples)}`)
  // The ingress's agreement needs both remaining supervisors for a while after the kill (2 of 3): a
  // refusal is allowed in the seconds the kill lands in (a check in flight to the dying one, a stall
  // of another); from 5 s on every valid transaction is accepted, on every chain.
  const windowStart = r.steps[0]!.endMs
  const after = f.perSecond.filter((p) => windowStart + p.t * 1000 >= kill.atMs + 5_000)
  assert.ok(after.length >= 5, `${after.length} seconds of traffic after the kill`)
  assert.equal(
    after.filter((p) => p.validRefused > 0),
    [],
    `refused ${JSON.stringify(f.refusedExamples)}`,
  )
  assert.ok(after.reduce((a, p) => a + p.accepted, 0) > 0)
  assert.ok(f.recoverS !== null, 'recovered')
})

test("killing the leader's supervisor under traffic moves leadership (conductor_leaderWithID); at most one slot is missed", async () => {
  const conductor = chainA().conductor
  const leader = await leaderOf(conductor)
  const r = await scenario('kill-leader-supervisor.json')
  const f = r.chaos!
  assert.is(f.faults[0]!.target, `supervisor-${leader.slice(1)}`)
  const a = f.chains.find((c) => c.chain === 'A')!
  assert.ok(a.leaderChanges.length >= 1, 'leadership moved')
  assert.is(a.leaderChanges[0]!.from, leader)
  assert.is.not(a.leaderChanges[0]!.to, leader)
  // Around the handover (4 s either side), chain A keeps one block per slot: timestamps one slot apart
  // but for at most one gap of two slots. (The whole window's slotsMissed also counts slots lost to the
  // killed supervisor's restart competing for the two cores: reported, see docs/measurements.md.)
  const moved = (Date.parse(r.startedAt) + a.leaderChanges[0]!.atMs) / 1000
  const engine = proc(`engine-sim-${a.leaderChanges[0]!.to}`).engine!
  const top = await head(engine)
  const stamps: number[] = []
  for (let n = top; n > 0; n--) {
    const b = await rpc<{ timestamp: string }>(engine, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false])
    const ts = Number(BigInt(b.timestamp))
    if (ts < moved - 4) break
    if (ts <= moved + 4) stamps.unshift(ts)
  }
  assert.ok(stamps.length >= 4, `${stamps.length} blocks around the handover`)
  const gaps = stamps
    .slice(1)
    .map((t, k) => t - stamps[k]!)
    .filter((g) => g !== SLOT_S)
  assert.ok(gaps.length <= 1 && gaps.every((g) => g === 2 * SLOT_S), `gaps ${gaps.join(', ')} around the handover`)
  assert.is(f.forgedAccepted, 0)
  assert.is(f.lost, 0, `lost ${JSON.stringify(f.lostExamples)}`)
})

test('a killed engine-sim and a killed sequencer are noticed and restarted with the same ports; the engine catches up', async () => {
  const conductor = chainA().conductor
  const leader = await leaderOf(conductor)
  const victim = `A${(Number(leader.slice(1)) % 3) + 1}`
  const engine = proc(`engine-sim-${victim}`)
  process.kill(engine.pid!, 'SIGKILL')
  const back = await until(
    'engine-sim restarted',
    () => {
      const p = proc(`engine-sim-${victim}`)
      return p.restarts === 1 && p.pid !== null && p.pid !== engine.pid ? p : undefined
    },
    15_000,
  )
  assert.is(back.engine, engine.engine)
  // Restarted empty; the leader's sequencer resends every block from its own engine.
  const leaderEngine = proc(`engine-sim-${leader}`).engine!
  await until(
    'the restarted engine to catch up',
    async () => ((await head(engine.engine!)) >= (await head(leaderEngine)) - 1 ? true : undefined),
    20_000,
  )
  const seq = proc(`sequencer-${victim}`)
  process.kill(seq.pid!, 'SIGKILL')
  await until(
    'sequencer restarted and answering',
    () => {
      const p = proc(`sequencer-${victim}`)
      return p.restarts === 1 && p.state === 'running' && p.pid !== seq.pid ? true : undefined
    },
    30_000,
  )
  assert.match(out, new RegExp(`engine-sim-${victim} \\(pid ${engine.pid}\\) exited \\(signal SIGKILL\\); restarting`))
  const metrics = await (await fetch(manifest().devnet.metrics)).text()
  assert.match(
    metrics,
    new RegExp(`superguard_devnet_process_exits_total\\{name="engine-sim-${victim}",role="engine-sim"\\} 1`),
  )
})

test('a stopped (SIGSTOP) process is reported unresponsive, then running again after SIGCONT', async () => {
  const b = proc('builder-B2')
  process.kill(b.pid!, 'SIGSTOP')
  try {
    await until('unresponsive', () => (proc('builder-B2').state === 'unresponsive' ? true : undefined), 10_000)
  } finally {
    process.kill(b.pid!, 'SIGCONT')
  }
  await until('running again', () => (proc('builder-B2').state === 'running' ? true : undefined), 10_000)
  assert.is(proc('builder-B2').pid, b.pid)
})

test('SIGTERM stops every process: no pid is left', async () => {
  manifest()
  const exited = new Promise((resolve) => devnet.once('exit', resolve))
  process.kill(devnet.pid!, 'SIGTERM')
  await exited
  assert.is(devnet.exitCode, 0)
  const left = [...seen].filter(alive)
  assert.equal(left, [])
})

test.run()
