import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as pause } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { Manifest } from '../../src/devnet/topology/manifest.js'
import { readScenario, runScenario } from '../../src/loadtest/index.js'
import { report } from '../_harness.js'
import { type RoleProfile, summarizeProfiles } from './cpuProfileSummary.js'

/**
 * The 3×3 topology on this machine: time from `superguard devnet --topology 3x3` to every process
 * healthy, the CPU that start-up cost (all processes), and the idle CPU of the whole cluster over
 * WINDOW_S seconds at SLOT_S-second blocks (no traffic), per role and for the costliest process,
 * read from /proc/<pid>/stat (utime + stime, every thread). Goals: start ≤ 30 s; idle ≤ 50 % of one core.
 * CPU-seconds do not grow with the machine's other load the way wall-clock time does, so they are
 * reported per process beside the load average. TRAFFIC=steady,steady-full-rate then runs those
 * scenarios/*.json on the same cluster and reports each one's CPU by role over its run and per
 * accepted transaction (above the idle rate): what a transaction costs the whole cluster.
 * BENCH_CPU_PROF=1 (or a directory) runs the devnet and every process it starts under V8's CPU
 * profiler (`--cpu-prof`, 2 ms sampling, through SUPERGUARD_DEVNET_NODE_ARGS) and, once the cluster
 * stopped, prints the top self-time functions of each role over the whole run, the start (spawn
 * to healthy) and each traffic scenario; the profiles stay in bench/results/topology-cpuprofiles/ (or the directory) for
 * DevTools or speedscope. Profiling costs CPU of its own: compare CPU figures without it.
 *   SLOT_S=2 WINDOW_S=20 [TRAFFIC=steady] [BENCH_CPU_PROF=1] node dist/bench/devnet/topologyIdle.bench.js
 */
const SLOT_S = Number(process.env.SLOT_S ?? 2)
const WINDOW_S = Number(process.env.WINDOW_S ?? 20)
const SETTLE_S = Number(process.env.SETTLE_S ?? 5)
const TICKS = 100 // USER_HZ on Linux
const TRAFFIC = (process.env.TRAFFIC ?? '').split(',').filter((x) => x !== '')

function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // After the comm field: state is f[0], utime f[11], stime f[12].
    return Number(f[11]) + Number(f[12])
  } catch {
    return undefined
  }
}

const dir = mkdtempSync(join(tmpdir(), 'superguard-topology-bench-'))
const manifestPath = join(dir, 'manifest.json')
const bin = fileURLToPath(new URL('../../../bin/superguard.js', import.meta.url))
const PROF = process.env.BENCH_CPU_PROF
const profDir = !PROF
  ? undefined
  : PROF === '1'
    ? fileURLToPath(new URL('../../../bench/results/topology-cpuprofiles', import.meta.url))
    : PROF
const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=2000'] : []
if (profDir) {
  rmSync(profDir, { recursive: true, force: true })
  mkdirSync(profDir, { recursive: true })
}
const t0 = performance.now()
const devnet = spawn(
  process.execPath,
  [
    ...nodeArgs,
    bin,
    'devnet',
    '--topology',
    '3x3',
    '--slot',
    `${SLOT_S}s`,
    '--manifest',
    manifestPath,
    '--data-dir',
    dir,
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
    env: profDir ? { ...process.env, SUPERGUARD_DEVNET_NODE_ARGS: nodeArgs.join(' ') } : process.env,
  },
)
let procs: { name: string; role: string; pid: number }[] = []
const nowUs = () => Number(process.hrtime.bigint() / 1000n)
/** The phases the profiles are cut into (BENCH_CPU_PROF): start (spawn to healthy) and each traffic scenario. */
const phases: { name: string; fromUs: number; toUs: number }[] = []
const spawnedUs = nowUs()
let out = ''
devnet.stdout!.on('data', (c: Buffer) => {
  out += c.toString()
})
try {
  while (!/topology healthy in/.test(out)) {
    if (devnet.exitCode !== null) throw new Error(`the devnet exited: ${out}`)
    if (performance.now() - t0 > 180_000) throw new Error(`not healthy within 180 s: ${out}`)
    await pause(100)
  }
  const startS = (performance.now() - t0) / 1000
  phases.push({ name: 'start', fromUs: spawnedUs, toUs: nowUs() })
  const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest
  procs = [
    { name: 'devnet', role: 'devnet', pid: devnet.pid! },
    ...m.processes.map((p) => ({ name: p.name, role: p.role as string, pid: p.pid! })),
  ]
  const startCpuS = procs.reduce((s, p) => s + (cpuTicks(p.pid) ?? 0), 0) / TICKS
  const startLoad = loadavg().map((x) => Math.round(x * 100) / 100)
  const startCpuByProcess = Object.fromEntries(procs.map((p) => [p.name, (cpuTicks(p.pid) ?? 0) / TICKS]))
  const startCpuByRole: Record<string, number> = {}
  for (const p of procs)
    startCpuByRole[p.role] = Math.round(((startCpuByRole[p.role] ?? 0) + (cpuTicks(p.pid) ?? 0) / TICKS) * 10) / 10
  await pause(SETTLE_S * 1000)
  const before = procs.map((p) => cpuTicks(p.pid) ?? 0)
  const w0 = performance.now()
  await pause(WINDOW_S * 1000)
  const seconds = (performance.now() - w0) / 1000
  const used = procs.map((p, i) => ({ ...p, pct: (((cpuTicks(p.pid) ?? 0) - before[i]!) / TICKS / seconds) * 100 }))
  const byRole: Record<string, number> = {}
  for (const u of used) byRole[u.role] = Math.round(((byRole[u.role] ?? 0) + u.pct) * 10) / 10
  const total = used.reduce((s, u) => s + u.pct, 0)
  const idleLoad = loadavg().map((x) => Math.round(x * 100) / 100)
  const top = [...used].sort((a, b) => b.pct - a.pct).slice(0, 5)
  const traffic: Record<string, unknown>[] = []
  for (const name of TRAFFIC) {
    const path = fileURLToPath(new URL(`../../../scenarios/${name}.json`, import.meta.url))
    const at = procs.map((p) => cpuTicks(p.pid) ?? 0)
    const t = performance.now()
    const fromUs = nowUs()
    const r = await runScenario(readScenario(path), `scenarios/${name}.json`, { manifest: manifestPath })
    phases.push({ name: `traffic ${name}`, fromUs, toUs: nowUs() })
    const s = (performance.now() - t) / 1000
    const cpu = procs.map((p, i) => ({ ...p, cpuS: ((cpuTicks(p.pid) ?? 0) - at[i]!) / TICKS }))
    const perRole: Record<string, number> = {}
    for (const c of cpu) perRole[c.role] = Math.round(((perRole[c.role] ?? 0) + c.cpuS) * 10) / 10
    const totalS = cpu.reduce((a, c) => a + c.cpuS, 0)
    const f = r.chaos
    const accepted = f ? f.accepted.plain + f.accepted.valid : 0
    traffic.push({
      scenario: name,
      passed: r.passed,
      seconds: Math.round(s * 10) / 10,
      cpuS: Math.round(totalS * 10) / 10,
      cpuPctOfOneCore: Math.round((totalS / s) * 1000) / 10,
      cpuByRole: perRole,
      accepted,
      // Above the idle rate measured before: what the transactions themselves cost, summed over every process.
      cpuMsPerTx: accepted > 0 ? Math.round(((totalS - (total / 100) * s) / accepted) * 10_000) / 10 : undefined,
      validRefused: f?.validRefused,
      slotsMissed: f?.slotsMissed,
      lost: f?.lost,
      load: loadavg().map((x) => Math.round(x * 100) / 100),
    })
  }
  report('devnet.topologyIdle', {
    slotS: SLOT_S,
    processes: procs.length,
    startS: Math.round(startS * 10) / 10,
    devnetStartLine: /topology healthy in ([\d.]+)s \(([^)]*)\)/.exec(out)?.slice(1, 3),
    startCpuS: Math.round(startCpuS * 10) / 10,
    startCpuByRole,
    startCpuByProcess,
    loadAtStart: startLoad,
    idleWindowS: Math.round(seconds * 10) / 10,
    idleCpuPctOfOneCore: Math.round(total * 10) / 10,
    idleVsGoal: Math.round((total / 50) * 100) / 100,
    byRole,
    top: top.map((u) => ({ name: u.name, pct: Math.round(u.pct * 10) / 10 })),
    idleByProcess: Object.fromEntries(used.map((u) => [u.name, Math.round(u.pct * 100) / 100])),
    loadAtIdleEnd: idleLoad,
    traffic,
  })
} finally {
  try {
    process.kill(-devnet.pid!, 'SIGTERM')
  } catch {
    // The devnet exited already (a failed start): its group is gone.
  }
  await new Promise((resolve) => (devnet.exitCode !== null ? resolve(undefined) : devnet.once('exit', resolve)))
  rmSync(dir, { recursive: true, force: true })
  if (profDir) {
    const roles = new Map(procs.map((p) => [p.pid, p.role]))
    const summaries: Record<string, RoleProfile[]> = {}
    for (const ph of [{ name: 'whole run', fromUs: 0, toUs: Number.MAX_SAFE_INTEGER }, ...phases]) {
      const summary = summarizeProfiles(profDir, (pid) => roles.get(pid), ph)
      summaries[ph.name] = summary
      console.log(`\n==== ${ph.name}`)
      for (const r of summary) {
        console.log(`\n${r.role}: ${r.processes} processes, ${(r.totalMs / 1000).toFixed(1)} s sampled`)
        for (const t of r.top)
          console.log(`  ${String(t.pct).padStart(5)} %  ${String(t.selfMs).padStart(7)} ms  ${t.fn}`)
      }
    }
    writeFileSync(join(profDir, 'summary.json'), `${JSON.stringify(summaries, null, 1)}\n`)
    console.log(`\nprofiles and summary.json in ${profDir}`)
  }
}
