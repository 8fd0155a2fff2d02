import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { emitInitiating } from '../../src/devnet/messages.js'
import { type LoadtestResult, runLoadtest } from '../../src/loadtest/index.js'
import { type Supervisor, startSupervisor, supervisorConfig } from '../../src/supervisor/index.js'
import { type InteropChain, startInteropChains } from '../_helpers/interopChains.js'
import { untilIndexed } from '../_helpers/untilIndexed.js'
import { openInChromium } from './_chromium.js'
import { type LyingEndpoint, startLyingEndpoint } from './_lyingEndpoint.js'

// Do we measure others honestly? An endpoint written here, in front of a real supervisor, counts
// what it receives, holds every answer 40 ms and turns every 7th answer around. The report must
// count what the endpoint received, show no answer faster than 40 ms, and every lie as a wrong verdict.
// Its HTML report is then opened in headless chromium: every chart drawn, no console message.

const DELAY_MS = 40
const LIE_EVERY = 7
const CONNECTIONS = 8
const dir = mkdtempSync(join(tmpdir(), 'sg-loadtest-honesty-'))
let chains: Awaited<ReturnType<typeof startInteropChains>>
let a: InteropChain
let supervisor: Supervisor
let liar: LyingEndpoint
let result: LoadtestResult
const reportFile = join(dir, 'report.html')

test.before(async () => {
  chains = await startInteropChains()
  a = chains.a
  await emitInitiating(a, chains.signer, { count: 6 })
  await emitInitiating(a, chains.signer, { count: 6 })
  supervisor = await startSupervisor(
    supervisorConfig({
      argv: ['--rpc', a.url, '--port', '0', '--poll', '100ms', '--log-level', 'silent', '--db', join(dir, 's.db')],
    }),
    { progress: false },
  )
  await supervisor.ready
  const head = await a.client.getBlockNumber()
  await untilIndexed(
    supervisor.indexer!,
    'chain indexed',
    () => (supervisor.indexer!.reader.head(a.chainId, 'unsafe')?.number ?? -1n) >= head,
  )
  liar = await startLyingEndpoint(supervisor.url, { delayMs: DELAY_MS, lieEvery: LIE_EVERY })
})

test.after(async () => {
  await liar?.close()
  await supervisor?.close()
  await chains?.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('the report counts what the endpoint received, its added latency, and every lie as a wrong verdict', async () => {
  const r = await runLoadtest({
    kind: 'checker',
    target: liar.url,
    rpc: [a.url],
    duration: '2s',
    connections: CONNECTIONS,
    progress: 'off',
    report: reportFile,
  })
  result = r
  const received = liar.received
  // every request the endpoint read was sent; the ones it never answered were in flight as the load stopped
  assert.ok(r.requests.sent >= received, `sent ${r.requests.sent} < received ${received}`)
  assert.ok(received >= r.requests.answered, `received ${received} < answered ${r.requests.answered}`)
  assert.ok(received - r.requests.answered <= CONNECTIONS, `received ${received}, answered ${r.requests.answered}`)
  assert.ok(r.requests.answered > 100, `answered ${r.requests.answered}`)

  // no answer faster than the endpoint's hold; the median near it
  assert.ok(r.histogram[0]!.leMs >= DELAY_MS, JSON.stringify(r.histogram.slice(0, 3)))
  assert.ok(r.latencyMs.p50 >= DELAY_MS && r.latencyMs.p50 < DELAY_MS * 4, `p50 ${r.latencyMs.p50}`)

  // every lie the client received is a wrong verdict, on the case it lied about
  const wrongValid = r.wrongVerdicts.valid ?? 0
  const wrongRefused = Object.entries(r.wrongVerdicts).reduce((n, [c, v]) => (c === 'valid' ? n : n + v), 0)
  assert.ok(
    wrongValid <= liar.liesOnValid && wrongValid >= liar.liesOnValid - CONNECTIONS,
    `valid: wrong ${wrongValid}, lies ${liar.liesOnValid}`,
  )
  assert.ok(
    wrongRefused <= liar.liesOnRefused && wrongRefused >= liar.liesOnRefused - CONNECTIONS,
    `refused: wrong ${wrongRefused}, lies ${liar.liesOnRefused}`,
  )
  assert.ok(wrongValid > 0 && wrongRefused > 0)
  assert.equal(r.wrongByCode.valid, { '-320600': wrongValid })
  for (const [c, by] of Object.entries(r.wrongByCode)) if (c !== 'valid') assert.equal(Object.keys(by), ['null'])
  // the share: one answer in LIE_EVERY
  const share = (wrongValid + wrongRefused) / r.requests.answered
  assert.ok(Math.abs(share - 1 / LIE_EVERY) < 0.02, `share ${share}`)
})

test('the HTML report opens in chromium with its five charts, the run details and no console message', async () => {
  const html = readFileSync(reportFile, 'utf8')
  // self-contained: nothing loaded from anywhere
  assert.not.match(html, /<(script|link|img|iframe)\b/i)
  assert.not.match(html, /\b(src|href)=/i)
  const { dom, console: messages } = await openInChromium(reportFile)
  assert.equal(messages, [])
  for (const chart of ['throughput', 'p99', 'histogram', 'codes', 'wrong'])
    assert.match(dom, new RegExp(`<svg data-chart="${chart}"`), chart)
  // the lines have a point per second, the histogram a bar per bucket, the wrong-verdict chart a bar per case
  const svg = (name: string) => dom.split(`<svg data-chart="${name}"`)[1]!.split('</svg>')[0]!
  assert.is(svg('throughput').match(/<circle/g)?.length, result.perSecond.length)
  assert.is(svg('histogram').match(/<rect/g)?.length, result.histogram.length)
  assert.is(svg('wrong').match(/<rect/g)?.length, Object.keys(result.mix).length)
  assert.match(svg('codes'), />-320600</)
  assert.match(dom, /wrong verdicts<\/span>/)
  assert.match(dom, /autocannon 9\.0\.0/)
  assert.match(dom, /runLoadtest\(/)
  assert.ok(dom.includes(result.machine.cpu), result.machine.cpu)
})

test.run()
