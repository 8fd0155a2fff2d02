import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

type ProfileNode = {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
type CpuProfile = { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] }

/** A span of the run in CLOCK_MONOTONIC µs (process.hrtime.bigint() / 1000n), as V8 stamps samples. */
export type Window = { fromUs: number; toUs: number }

export type RoleProfile = {
  role: string
  processes: number
  /** Sampled time running, ms (waiting samples excluded: WAITING). */
  totalMs: number
  top: { fn: string; selfMs: number; pct: number }[]
}

/**
 * Samples that are waiting, not running: V8's (idle), and piscina's worker threads blocked in
 * Atomics.wait for a task (68 % of the ingresses' samples and 79 % of the sweeps' in a first run).
 */
const WAITING = /^\(idle\)|^atomicsWaitLoop /

/** `name (file:line)` with the path cut to what follows node_modules/ or the repository's dist/. */
function frameName(f: ProfileNode['callFrame']): string {
  if (!f.url) return f.functionName || '(anonymous)'
  const url = f.url.replace(/^file:\/\//, '')
  const nm = url.lastIndexOf('node_modules/')
  const dist = url.lastIndexOf('/dist/')
  const short = nm >= 0 ? url.slice(nm + 13) : dist >= 0 ? url.slice(dist + 6) : url
  return `${f.functionName || '(anonymous)'} (${short}:${f.lineNumber + 1})`
}

/**
 * Self time per function of every `*.cpuprofile` in `dir` (V8's `--cpu-prof` files, named
 * CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile), summed per role: `roleOf(pid)` names the role
 * of a process (undefined: counted as `other`, e.g. a restarted process or the lying supervisor).
 * Worker threads count with their process. With `window`, only the samples taken within it.
 */
export function summarizeProfiles(
  dir: string,
  roleOf: (pid: number) => string | undefined,
  window?: Window,
  topN = 12,
): RoleProfile[] {
  const byRole = new Map<string, { pids: Set<number>; self: Map<string, number> }>()
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const pid = Number(file.split('.')[3])
    const role = roleOf(pid) ?? 'other'
    let r = byRole.get(role)
    if (!r) byRole.set(role, (r = { pids: new Set(), self: new Map() }))
    r.pids.add(pid)
    let p: CpuProfile
    try {
      p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile
    } catch {
      continue // cut short by a SIGKILL
    }
    const names = new Map(p.nodes.map((n) => [n.id, frameName(n.callFrame)]))
    let at = p.startTime
    for (let i = 0; i < p.samples.length; i++) {
      at += p.timeDeltas[i] ?? 0
      if (window && (at < window.fromUs || at > window.toUs)) continue
      const name = names.get(p.samples[i]!) ?? '?'
      if (WAITING.test(name)) continue
      r.self.set(name, (r.self.get(name) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000)
    }
  }
  const out: RoleProfile[] = []
  for (const [role, r] of byRole) {
    const totalMs = [...r.self.values()].reduce((a, b) => a + b, 0)
    const top = [...r.self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([fn, ms]) => ({ fn, selfMs: Math.round(ms), pct: Math.round((ms / totalMs) * 1000) / 10 }))
    out.push({ role, processes: r.pids.size, totalMs: Math.round(totalMs), top })
  }
  return out.sort((a, b) => b.totalMs - a.totalMs)
}
