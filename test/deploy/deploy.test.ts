import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Registry } from 'prom-client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { builderSpec } from '../../src/builder/options.js'
import { loadConfig, type Spec } from '../../src/config/index.js'
import { devnetSpec } from '../../src/devnet/options.js'
import { type Devnet, startDevnet } from '../../src/devnet/start.js'
import { engineSimSpec } from '../../src/enginesim/options.js'
import { startIngress } from '../../src/ingress/index.js'
import { ingressSpec } from '../../src/ingress/options.js'
import { createLimitedServer, listenerLimits } from '../../src/rpc/listenerLimits.js'
import { sequencerSpec } from '../../src/sequencer/options.js'
import { supervisorSpec } from '../../src/supervisor/options.js'
import { startSweep } from '../../src/sweep/index.js'
import { sweepSpec } from '../../src/sweep/options.js'
import { createLogger } from '../../src/util/logger.js'

// deploy/ cannot drift: every metric a Grafana dashboard or an alert rule uses exists in that
// role's /metrics (every role started, by the devnet), and every example configuration file loads
// through its role's loadConfig.

const DEPLOY = fileURLToPath(new URL('../../../deploy/', import.meta.url))
const ROLES = ['supervisor', 'ingress', 'sweep', 'sequencer', 'builder', 'engine-sim'] as const
type Role = (typeof ROLES)[number]

/** Metric families of a /metrics text (`# TYPE name kind`). */
function families(text: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(m[1]!, m[2]!)
  return out
}

/** The metric names a PromQL expression reads (histogram series mapped to their family). */
function metricsIn(expr: string, known: Map<string, string>): string[] {
  return [...expr.matchAll(/\bsuperguard_[a-z0-9_]+/g)].map(([name]) => {
    const base = name.replace(/_(bucket|sum|count)$/, '')
    return base !== name && known.get(base) === 'histogram' ? base : name
  })
}

function exprsOfDashboard(role: Role): string[] {
  const dash = JSON.parse(readFileSync(join(DEPLOY, 'grafana', `${role}.json`), 'utf8')) as {
    uid: string
    panels: { title: string; targets: { expr: string }[] }[]
  }
  assert.is(dash.uid, `superguard-${role}`)
  assert.ok(dash.panels.length > 0)
  return dash.panels.flatMap((p) => p.targets.map((t) => t.expr))
}

/** Alert rule expressions by group (`superguard-<role>` or `superguard-process`), read from the YAML text. */
function alertExprs(): Map<string, string[]> {
  const text = readFileSync(join(DEPLOY, 'prometheus', 'alerts.yml'), 'utf8')
  const out = new Map<string, string[]>()
  let group = ''
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const g = /^ {2}- name: (\S+)$/.exec(lines[i]!)
    if (g) group = g[1]!
    const e = /^ {8}expr: (\|)?(.*)$/.exec(lines[i]!)
    if (!e) continue
    let expr = e[2]!
    if (e[1]) while (i + 1 < lines.length && /^ {10}/.test(lines[i + 1]!)) expr += ` ${lines[++i]!.trim()}`
    out.set(group, [...(out.get(group) ?? []), expr])
  }
  return out
}

let devnet: Devnet
let sweepMetrics: Server
const text = new Map<Role, string>()

test.before(async () => {
  const { config } = loadConfig(devnetSpec, { argv: ['--duration', '60s'] })
  devnet = await startDevnet(config, createLogger('silent'), () => {})
  // The sweep CLI serves its registry on --metrics-port through a limited listener (src/cli/sweep.ts): the same here.
  const registry: Registry = devnet.interop.sweep.registry
  sweepMetrics = createLimitedServer(
    listenerLimits(loadConfig(sweepSpec, { argv: ['--rpc', 'http://127.0.0.1:1', '--supervisor', 'http://x'] }).config),
    (_req, res) => {
      registry.metrics().then((t) => res.end(t))
    },
    { name: 'sweep-metrics', registry },
  ).server
  await new Promise<void>((resolve) => sweepMetrics.listen(0, '127.0.0.1', resolve))
  const port = (sweepMetrics.address() as { port: number }).port
  const get = async (url: string) => (await fetch(`${url}/metrics`)).text()
  // Metrics that exist only with an option (--route on the ingress, --vote on the sweep): one more
  // ingress and sweep with it, over the same devnet, their families added to the role's.
  const [s0, s1, s2] = devnet.interop.supervisors
  const [a, b] = devnet.chains
  const routed = await startIngress(
    { port: 0, upstream: b.url, route: [`${a.chainId}=${s0.url}`, `${b.chainId}=${s1.url}`], failsafePoll: 0 },
    { logger: createLogger('silent') },
  )
  const voting = await startSweep(
    { rpc: b.url, mode: 'supervisor', supervisor: s0.url, vote: [s1.url, s2.url], threads: 1, failsafePoll: 0 },
    { logger: createLogger('silent') },
  )
  try {
    text.set('supervisor', await get(s0.url))
    text.set('ingress', `${await get(devnet.chains[1].ingress.url)}\n${await get(routed.url)}`)
    text.set('sweep', `${await get(`http://127.0.0.1:${port}`)}\n${await voting.registry.metrics()}`)
  } finally {
    await Promise.all([routed.close(), voting.close()])
  }
  text.set('sequencer', await devnet.chains[1].sequencer.registry.metrics())
  text.set('builder', await get(devnet.chains[1].builders[0]!.handle.url))
  text.set('engine-sim', await get(devnet.chains[1].engine.url))
})

test.after(async () => {
  await new Promise<void>((resolve) => sweepMetrics.close(() => resolve()))
  await devnet.close()
})

test('every metric of each role dashboard exists in that role /metrics', () => {
  const files = readdirSync(join(DEPLOY, 'grafana')).filter((f) => f.endsWith('.json'))
  assert.equal(files.sort(), ROLES.map((r) => `${r}.json`).sort(), 'one dashboard per role')
  for (const role of ROLES) {
    const known = families(text.get(role)!)
    for (const expr of exprsOfDashboard(role))
      for (const name of metricsIn(expr, known))
        assert.ok(known.has(name), `${role} dashboard: ${name} not in its /metrics`)
  }
})

test('every metric of each alert rule exists in its role /metrics (process rules: in every role)', () => {
  const groups = alertExprs()
  const required = [
    'SuperguardBackfillStalled',
    'SuperguardIndexHeadLag',
    'SuperguardFailsafeOn',
    'SuperguardIngressRefusalsSpiking',
    'SuperguardSweepEvictions',
    'SuperguardBuilderBlocksRefused',
    'SuperguardSealLatency',
    'SuperguardEventLoopDelay',
    'SuperguardReplicaBehind',
    'SuperguardIngressRouteDown',
    'SuperguardSweepNoMajority',
  ]
  const yaml = readFileSync(join(DEPLOY, 'prometheus', 'alerts.yml'), 'utf8')
  for (const a of required) assert.match(yaml, new RegExp(`- alert: ${a}\\n`), a)
  let checked = 0
  for (const [group, exprs] of groups) {
    const role = group.replace(/^superguard-/, '')
    const roles: readonly Role[] = role === 'process' ? ROLES : [role as Role]
    assert.ok(
      roles.every((r) => text.has(r)),
      `group ${group} names a role`,
    )
    for (const expr of exprs)
      for (const r of roles) {
        const known = families(text.get(r)!)
        for (const name of metricsIn(expr, known)) {
          // The process group's sequencer rule and the listener rule apply where those metrics are.
          if (role === 'process' && !known.has(name) && !/nodejs_eventloop|build_info/.test(name)) continue
          assert.ok(known.has(name), `alert group ${group}: ${name} not in the ${r} /metrics`)
          checked++
        }
      }
  }
  assert.ok(checked > 20)
})

test('superguard_build_info{version, commit, node} on every role', () => {
  for (const role of ROLES)
    assert.match(
      text.get(role)!,
      /^superguard_build_info\{version="\d+\.\d+\.\d+[^"]*",commit="[^"]+",node="v\d+[^"]*"\} 1$/m,
      role,
    )
})

test('every example configuration in deploy/config loads through its role spec', () => {
  const specs: Record<Role, Spec> = {
    supervisor: supervisorSpec as unknown as Spec,
    ingress: ingressSpec as unknown as Spec,
    sweep: sweepSpec as unknown as Spec,
    sequencer: sequencerSpec as unknown as Spec,
    builder: builderSpec as unknown as Spec,
    'engine-sim': engineSimSpec as unknown as Spec,
  }
  const files = readdirSync(join(DEPLOY, 'config')).filter((f) => f.endsWith('.json'))
  assert.equal(files.sort(), ROLES.map((r) => `${r}.json`).sort(), 'one example per role')
  // The examples name their secrets relative to the working directory (secrets/*.hex): make them.
  const dir = mkdtempSync(join(tmpdir(), 'sg-deploy-'))
  const cwd = process.cwd()
  try {
    mkdirSync(join(dir, 'secrets'))
    for (const f of ['supervisor-admin', 'engine-jwt', 'debug-jwt', 'builder-a'])
      writeFileSync(join(dir, 'secrets', `${f}.hex`), `0x${'5a'.repeat(32)}\n`)
    process.chdir(dir)
    for (const role of ROLES) {
      const file = join(DEPLOY, 'config', `${role}.json`)
      const values = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
      const { config } = loadConfig(specs[role], { file })
      // Every key of the file is an option that took the file's value (no key silently ignored).
      for (const [k, v] of Object.entries(values)) {
        // A file names an option by its key or its flag in camelCase ("interval" for intervalMs).
        const key =
          Object.entries(specs[role].options).find(
            ([key, o]) =>
              key === k || (o.flag ?? '').replace(/-([a-z0-9])/g, (_: string, c: string) => c.toUpperCase()) === k,
          )?.[0] ?? k
        const got = (config as Record<string, unknown>)[key]
        assert.ok(got !== undefined, `${role}.json: ${k} was not taken`)
        if (typeof v === 'number' || typeof v === 'boolean') assert.is(got, v, `${role}.json: ${k}`)
      }
    }
  } finally {
    process.chdir(cwd)
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
