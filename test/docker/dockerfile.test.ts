import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

// The container image is built the way CI builds: the Dockerfile's build stage runs .ci/run's
// install-and-build command, copies every compiler input scripts/build.js hashes, and the image is
// multi-stage, non-root, with a HEALTHCHECK on /healthz. (No container runtime runs in the suite;
// the README's CHANGELOG entry says how the image was built by hand.)

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const read = (p: string) => readFileSync(`${ROOT}${p}`, 'utf8')

/** Dockerfile instructions with continuation lines joined. */
function instructions(text: string): { op: string; args: string; stage: string }[] {
  const out: { op: string; args: string; stage: string }[] = []
  let stage = ''
  const joined = text.replace(/\\\n/g, ' ')
  for (const raw of joined.split('\n')) {
    const l = raw.trim()
    if (l === '' || l.startsWith('#')) continue
    const m = /^([A-Z]+)\s+(.*)$/.exec(l)
    if (!m) continue
    if (m[1] === 'FROM') stage = /\bAS\s+(\S+)/i.exec(m[2]!)?.[1] ?? ''
    out.push({ op: m[1]!, args: m[2]!.replace(/\s+/g, ' '), stage })
  }
  return out
}

test("the build stage runs .ci/run's npm commands that install and build", () => {
  const ci = read('.ci/run')
  const ciNpm = ci
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^npm (ci|run build|install)\b/.test(l))
  assert.equal(ciNpm, ['npm ci'], '.ci/run installs and builds with npm ci alone')
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> }
  assert.match(pkg.scripts.prepare!, /scripts\/build\.js/, 'npm ci builds (prepare)')
  const build = instructions(read('Dockerfile')).filter((i) => i.stage === 'build')
  const runs = build.filter((i) => i.op === 'RUN').map((i) => i.args)
  for (const c of ciNpm) assert.ok(runs.includes(c), `Dockerfile build stage runs "${c}": ${JSON.stringify(runs)}`)
  assert.not.ok(
    runs.some((r) => /npm (install|run build)|tsc/.test(r)),
    'no other install or build step that CI does not run',
  )
})

test('the build stage copies every compiler input and what the CLI reads at run time', () => {
  const copied = instructions(read('Dockerfile'))
    .filter((i) => i.stage === 'build' && i.op === 'COPY')
    .flatMap((i) => i.args.split(' ').slice(0, -1))
  const script = read('scripts/build.js')
  const dirs = /INPUT_DIRS = \[([^\]]+)\]/
    .exec(script)![1]!
    .match(/'([^']+)'/g)!
    .map((s) => s.slice(1, -1))
  const files = /INPUT_FILES = \[([^\]]+)\]/
    .exec(script)![1]!
    .match(/'([^']+)'/g)!
    .map((s) => s.slice(1, -1))
  for (const f of [...dirs, ...files, 'package-lock.json', 'scripts', 'schema', 'bin'])
    assert.ok(copied.includes(f), `Dockerfile copies ${f}: ${copied.join(' ')}`)
})

test('multi-stage, non-root, HEALTHCHECK on /healthz, the CLI as entrypoint; compose targets exist', () => {
  const ins = instructions(read('Dockerfile'))
  const stages = ins.filter((i) => i.op === 'FROM').map((i) => i.stage)
  assert.ok(stages.length >= 3, `stages: ${stages}`)
  const runtime = ins.filter((i) => i.stage === 'runtime')
  const user = runtime.filter((i) => i.op === 'USER').map((i) => i.args)
  assert.ok(user.length === 1 && user[0] !== 'root' && user[0] !== '0', `USER ${user}`)
  const health = runtime.find((i) => i.op === 'HEALTHCHECK')
  assert.ok(health, 'HEALTHCHECK')
  assert.match(health!.args, /SUPERGUARD_HEALTH_URL/)
  assert.match(runtime.find((i) => i.op === 'ENV')!.args, /SUPERGUARD_HEALTH_URL=http:\/\/127\.0\.0\.1:\d+\/healthz/)
  assert.match(runtime.find((i) => i.op === 'ENTRYPOINT')!.args, /bin\/superguard\.js/)
  const compose = read('docker-compose.yml')
  for (const m of compose.matchAll(/target: (\S+?) ?}/g)) assert.ok(stages.includes(m[1]!), `compose target ${m[1]}`)
  assert.match(compose, /command: \["devnet"/)
  const ignore = read('.dockerignore')
  for (const p of ['node_modules', 'dist', '.git']) assert.match(ignore, new RegExp(`^${p.replace('.', '\\.')}$`, 'm'))
})

test('the devnet image adds anvil to the runtime image, not every dev dependency', () => {
  const devnet = instructions(read('Dockerfile')).filter((i) => i.stage === 'devnet')
  assert.match(read('Dockerfile'), /FROM runtime AS devnet/)
  const copies = devnet.filter((i) => i.op === 'COPY').map((i) => i.args)
  assert.ok(copies.length > 0, 'the devnet stage copies anvil')
  for (const c of copies) {
    assert.not.match(c, /\/app\/node_modules\s/, `the whole node_modules: ${c}`)
    assert.match(c, /^--from=build \/app\/node_modules\/@foundry-rs /, c)
  }
  // The one dev dependency the devnet needs at run time is the one src/devnet/anvil.ts resolves.
  assert.match(read('src/devnet/anvil.ts'), /@foundry-rs\/anvil-linux-amd64\/bin\/anvil/)
})

test.run()
