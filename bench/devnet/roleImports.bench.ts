import { execFileSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { report } from '../_harness.js'

/**
 * What one process of each role pays to load its code before it starts: the modules the CLI
 * imports for that role (the command, then what its start imports), each role in a fresh
 * `node` process, RUNS times (median), CPU (user + system) and wall time of the imports alone.
 * The 3×3 topology starts 40 processes, so every 100 CPU-ms here is ~4 CPU-s of its start.
 *   RUNS=5 node dist/bench/devnet/roleImports.bench.js
 */
const RUNS = Number(process.env.RUNS ?? 5)
const dist = (p: string) => new URL(`../../src/${p}`, import.meta.url).href

const ROLES: Record<string, string[]> = {
  'engine-sim': ['cli/main.js', 'cli/engineSim.js', 'enginesim/start.js', 'evm/genesis.js'],
  sequencer: ['cli/main.js', 'cli/sequencer.js'],
  builder: ['cli/main.js', 'cli/builder.js'],
  supervisor: ['cli/main.js', 'cli/supervisor.js'],
  ingress: ['cli/main.js', 'cli/ingress.js', 'ingress/index.js'],
  sweep: ['cli/main.js', 'cli/sweep.js'],
  'conductor-standin': ['cli/main.js', 'cli/conductorStandin.js', 'devnet/conductor/start.js'],
  devnet: ['cli/main.js', 'cli/devnet.js', 'devnet/topology/start.js'],
}

function once(modules: string[]): { cpuMs: number; wallMs: number } {
  const code = [
    'const c0 = process.cpuUsage(); const t0 = performance.now();',
    ...modules.map((m) => `await import(${JSON.stringify(dist(m))});`),
    'const c = process.cpuUsage(c0);',
    'console.log(JSON.stringify({ cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - t0 }));',
  ].join('\n')
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' })
  return JSON.parse(out.trim().split('\n').at(-1)!) as { cpuMs: number; wallMs: number }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const load0 = loadavg()[0]!
const roles: Record<string, { cpuMs: number; wallMs: number }> = {}
for (const [role, modules] of Object.entries(ROLES)) {
  const runs = Array.from({ length: RUNS }, () => once(modules))
  roles[role] = {
    cpuMs: Math.round(median(runs.map((r) => r.cpuMs))),
    wallMs: Math.round(median(runs.map((r) => r.wallMs))),
  }
}
// The 3×3 topology's processes per role (nine engines, sequencers, builders; three of the rest).
const COUNT: Record<string, number> = {
  'engine-sim': 9,
  sequencer: 9,
  builder: 9,
  supervisor: 3,
  ingress: 3,
  sweep: 3,
  'conductor-standin': 3,
  devnet: 1,
}
const topologyCpuS = Object.entries(roles).reduce((s, [r, v]) => s + (v.cpuMs * (COUNT[r] ?? 1)) / 1000, 0)
report('devnet.roleImports', {
  runs: RUNS,
  roles,
  topologyImportCpuS: Math.round(topologyCpuS * 10) / 10,
  load: [Math.round(load0 * 100) / 100, Math.round(loadavg()[0]! * 100) / 100],
  script: fileURLToPath(import.meta.url),
})
