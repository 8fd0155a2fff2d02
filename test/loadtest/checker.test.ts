import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { emitInitiating } from '../../src/devnet/messages.js'
import {
  CHECKER_EXPECT,
  checkScenario,
  type LoadtestResult,
  runLoadtest,
  runScenario,
} from '../../src/loadtest/index.js'
import { type Supervisor, startSupervisor, supervisorConfig } from '../../src/supervisor/index.js'
import { runCli } from '../_helpers/cli.js'
import { type InteropChain, startInteropChains } from '../_helpers/interopChains.js'
import { untilIndexed } from '../_helpers/untilIndexed.js'

// The checker kind end to end against superguard's own supervisor (both backends) on two anvil
// chains: logs harvested from the chains, every case's answer checked, nothing wrong; then the CLI
// with --json and a failing --expect (exit 1).

const dir = mkdtempSync(join(tmpdir(), 'sg-loadtest-checker-'))
let chains: Awaited<ReturnType<typeof startInteropChains>>
let a: InteropChain
let b: InteropChain
let index: Supervisor
let rpc: Supervisor

test.before(async () => {
  chains = await startInteropChains()
  ;({ a, b } = chains)
  for (let i = 0; i < 3; i++) {
    await emitInitiating(a, chains.signer, { count: 4 })
    await emitInitiating(b, chains.signer, { count: 4 })
  }
  const common = ['--rpc', a.url, '--rpc', b.url, '--port', '0', '--poll', '100ms', '--log-level', 'silent']
  ;[index, rpc] = await Promise.all([
    startSupervisor(supervisorConfig({ argv: [...common, '--db', join(dir, 'supervisor.db')] }), { progress: false }),
    startSupervisor(supervisorConfig({ argv: [...common, '--backend', 'rpc'] }), { progress: false }),
  ])
  await Promise.all([index.ready, rpc.ready])
  const [headA, headB] = await Promise.all([a.client.getBlockNumber(), b.client.getBlockNumber()])
  await untilIndexed(
    index.indexer!,
    'both chains indexed to their heads',
    () =>
      (index.indexer!.reader.head(a.chainId, 'unsafe')?.number ?? -1n) >= headA &&
      (index.indexer!.reader.head(b.chainId, 'unsafe')?.number ?? -1n) >= headB,
  )
})

test.after(async () => {
  await Promise.all([index?.close(), rpc?.close()])
  await chains?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const EVERY_CASE = 'valid=50,forged=10,expired=10,same-timestamp=10,unknown-chain=10,future=10'

function assertAllRight(r: LoadtestResult, minAnswered = 50): void {
  assert.equal(r.wrongVerdicts, {}, JSON.stringify(r.wrongExamples.slice(0, 3)))
  assert.is(r.garbage, 0)
  assert.is(r.transportErrors, 0)
  assert.ok(r.requests.answered >= minAnswered, `answered ${r.requests.answered}`)
  for (const kase of Object.keys(CHECKER_EXPECT)) assert.ok((r.cases[kase] ?? 0) > 0, `no ${kase} case answered`)
  // every expected code shows up, and nothing else
  const expectedCodes = new Set(Object.values(CHECKER_EXPECT))
  assert.equal(new Set(Object.keys(r.codes)), expectedCodes)
  assert.is(
    Object.values(r.codes).reduce((x, y) => x + y, 0),
    r.requests.checks,
  )
}

test('checker against the index supervisor: every case answered as expected', async () => {
  const r = await runLoadtest({
    kind: 'checker',
    target: index.url,
    rpc: [a.url, `902=${b.url}`],
    mix: EVERY_CASE,
    duration: '1s',
    connections: 4,
    progress: 'off',
    json: join(dir, 'index.json'),
  })
  assertAllRight(r)
  assert.is(r.kind, 'checker')
  assert.is(r.method, 'interop_checkAccessList')
  assert.is(r.requests.checks, r.requests.answered)
  assert.ok(r.latencyMs.p50 > 0 && r.latencyMs.p50 <= r.latencyMs.p99 && r.latencyMs.p99 <= r.latencyMs.max)
  assert.ok(r.perSecond.length >= 1)
})

test('on a terminal: a live line redrawn each second (req/s, p99, errors, wrong), cleared at the end', async () => {
  const writes: string[] = []
  const out = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        writes.push(String(chunk))
        done()
      },
    }),
    { isTTY: true },
  )
  await runLoadtest(
    { kind: 'checker', target: index.url, rpc: [a.url, b.url], chainId: 902n, duration: '2s', connections: 2 },
    { out },
  )
  const live = writes.filter((w) => w.startsWith('\r\x1b[2K[loadtest]'))
  assert.ok(live.length >= 1, JSON.stringify(writes))
  assert.match(live[0]!, /[\d,]+ req\/s {2}p99 [\d.]+ms {2}answered [\d,]+ {2}errors 0 {2}wrong 0$/)
  assert.ok(
    live.every((w) => !w.includes('\n')),
    'redrawn in place, no new lines',
  )
  assert.is(writes.at(-1), '\r\x1b[2K')
})

test('checker against the rpc-backend supervisor, in batches of 10, with supervisor_checkAccessList', async () => {
  const r = await runLoadtest({
    kind: 'checker',
    target: rpc.url,
    rpc: [a.url, b.url],
    chainId: 902n,
    method: 'supervisor_checkAccessList',
    mix: EVERY_CASE,
    batch: 10,
    duration: '1s',
    connections: 2,
    progress: 'off',
  })
  // the rpc backend reads the chain per check: a few batches in a second on a loaded box
  assertAllRight(r, 3)
  assert.is(r.requests.checks, r.requests.answered * 10)
})

test('CLI: --json writes the result; a failing --expect exits 1; compare prints B/A', async () => {
  const json = join(dir, 'run.json')
  const args = ['loadtest', 'checker', '--target', index.url, '--rpc', a.url, '--rpc', b.url, '--duration', '1s']
  const failed = await runCli([...args, '--json', json, '--expect', 'wrong=0', '--expect', 'rps>100000000'])
  assert.is(failed.code, 1, failed.stderr)
  assert.match(failed.stdout, /expect +wrong=0: ok/)
  assert.match(failed.stdout, /expect +rps>100000000: FAILED/)
  const r = JSON.parse(readFileSync(json, 'utf8')) as LoadtestResult
  assert.is(r.schema, 1)
  assert.is(r.target, index.url)
  assert.equal(r.wrongVerdicts, {})
  assert.equal(
    r.expectations.map((e) => e.ok),
    [true, false],
  )
  assert.match(r.commandLine, /^superguard loadtest checker --target/)

  // compare: B/A per metric
  const cmp = await runCli(['loadtest', 'compare', join(dir, 'index.json'), json])
  assert.is(cmp.code, 0, cmp.stderr)
  const first = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as LoadtestResult
  const line = cmp.stdout.split('\n').find((l) => l.startsWith('throughputPerS'))!
  assert.match(line, new RegExp(`${(r.throughputPerS / first.throughputPerS).toFixed(3)}$`))
  assert.match(cmp.stdout, /^wrongVerdicts +0 +0 +—$/m)
})

test('a scenario: two load steps, their own expectations; one failing marks the scenario failed', async () => {
  const scenario = checkScenario({
    name: 'two steps',
    defaults: { kind: 'checker', target: index.url, rpc: [a.url, b.url], progress: 'off', connections: 2 },
    steps: [
      { name: 'closed loop', load: { duration: '1s' }, expect: ['wrong=0'] },
      { name: 'fixed rate, batches', load: { duration: '1s', rate: 50, batch: 5 }, expect: ['wrong=0', 'rps>1000000'] },
    ],
  })
  const seen: number[] = []
  const r = await runScenario(scenario, 'inline', {}, (i) => seen.push(i))
  assert.equal(seen, [0, 1])
  assert.is(r.passed, false)
  assert.equal(
    r.steps.map((s) => s.expectations.map((e) => e.ok)),
    [[true], [true, false]],
  )
  const rated = r.steps[1]!.result!
  assert.is(rated.rate, 50)
  assert.is(rated.batch, 5)
  // a fixed arrival rate: about 50 requests in the second (autocannon's token bucket per connection)
  assert.ok(rated.requests.answered >= 25 && rated.requests.answered <= 110, `answered ${rated.requests.answered}`)
})

test.run()
