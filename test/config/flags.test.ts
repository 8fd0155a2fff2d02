import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { envName, flagName, loadConfig, type Spec } from '../../src/config/index.js'
import { sweepSpec } from '../../src/sweep/index.js'

// Two options on one flag leave one of them unreachable (the sweep's --request-timeout bounded both
// its outgoing requests and, once listener limits were spread into every spec, its metrics
// listener: the flag set only the latter). Every spec of every src/<role>/options.ts is read here,
// so a new role or a new shared option cannot bring the clash back.

const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src')

function isSpec(v: unknown): v is Spec {
  return typeof v === 'object' && v !== null && 'role' in v && 'envPrefix' in v && 'options' in v
}

async function allSpecs(): Promise<Spec[]> {
  const specs: Spec[] = []
  for (const role of readdirSync(srcDir)) {
    let mod: Record<string, unknown>
    try {
      mod = (await import(pathToFileURL(join(srcDir, role, 'options.js')).href)) as Record<string, unknown>
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') continue
      throw err
    }
    for (const v of Object.values(mod)) if (isSpec(v)) specs.push(v)
  }
  return specs
}

test('every role names each flag, alias, environment variable and file key once', async () => {
  const specs = await allSpecs()
  const roles = specs.map((s) => s.role)
  for (const r of ['supervisor', 'ingress', 'sweep', 'sequencer', 'builder', 'engine-sim', 'devnet', 'loadtest'])
    assert.ok(roles.includes(r), `no spec found for ${r} (found ${roles.join(', ')})`)
  const clashes: string[] = []
  for (const spec of specs) {
    const flags = new Map<string, string>()
    const envs = new Map<string, string>()
    for (const [key, s] of Object.entries(spec.options)) {
      for (const f of [flagName(key, s), ...(s.aliases ?? [])]) {
        const other = flags.get(f)
        if (other !== undefined) clashes.push(`${spec.role}: --${f} names both ${other} and ${key}`)
        flags.set(f, key)
      }
      const e = envName(key, s, spec.envPrefix)
      const other = envs.get(e)
      if (other !== undefined) clashes.push(`${spec.role}: ${e} names both ${other} and ${key}`)
      envs.set(e, key)
    }
  }
  assert.equal(clashes, [])
})

test('sweep: --request-timeout bounds outgoing requests, --metrics-request-timeout the metrics listener', () => {
  const base = ['--rpc', 'http://127.0.0.1:1', '--supervisor', 'http://127.0.0.1:2']
  const a = loadConfig(sweepSpec, { argv: [...base, '--request-timeout', '750ms'] }).config
  assert.is(a.requestTimeoutMs, 750)
  assert.is(a.requestTimeout, 10_000)
  const b = loadConfig(sweepSpec, { argv: [...base, '--metrics-request-timeout', '3s'] }).config
  assert.is(b.requestTimeoutMs, 5000)
  assert.is(b.requestTimeout, 3000)
  const c = loadConfig(sweepSpec, {
    argv: base,
    env: { SUPERGUARD_SWEEP_REQUEST_TIMEOUT: '2s', SUPERGUARD_SWEEP_METRICS_REQUEST_TIMEOUT: '4s' },
  }).config
  assert.is(c.requestTimeoutMs, 2000)
  assert.is(c.requestTimeout, 4000)
})

test.run()
