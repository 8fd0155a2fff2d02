import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ConfigError } from '../../src/config/index.js'
import { emitInitiating } from '../../src/devnet/messages.js'
import { LoadtestError, type LoadtestInput, runLoadtest } from '../../src/loadtest/index.js'
import { freePort } from '../../src/util/freePort.js'
import { runCli } from '../_helpers/cli.js'
import { type InteropChain, startInteropChains } from '../_helpers/interopChains.js'

// Every way a load test cannot start ends the same: one line on stderr naming the problem, exit 2,
// within --timeout: an unreachable target, one that accepts connections and never answers, one
// answering garbage or not serving the method, a chain without logs, bad options, a scenario with
// an unknown step kind, a result file that is not one.

const dir = mkdtempSync(join(tmpdir(), 'sg-loadtest-bad-'))
let chains: Awaited<ReturnType<typeof startInteropChains>>
let a: InteropChain
let b: InteropChain
let garbage: Server
let silent: TcpServer
const sockets: Socket[] = []
const url = (s: Server | TcpServer) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`

test.before(async () => {
  chains = await startInteropChains()
  ;({ a, b } = chains)
  await emitInitiating(a, chains.signer, { count: 2 }) // B stays without logs
  garbage = createHttpServer((req, res) => {
    req.resume()
    req.on('end', () =>
      res.end(
        req.url === '/rpc'
          ? JSON.stringify({
              jsonrpc: '2.0',
              id: 1,
              error: { code: -32601, message: 'the method interop_checkAccessList does not exist/is not available' },
            })
          : 'hello, not JSON-RPC',
      ),
    )
  })
  silent = createTcpServer((s) => {
    sockets.push(s) // accepts, reads, never answers
  })
  await Promise.all([
    new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r)),
    new Promise<void>((r) => silent.listen(0, '127.0.0.1', r)),
  ])
})

test.after(async () => {
  for (const s of sockets) s.destroy()
  garbage?.closeAllConnections()
  await Promise.all([new Promise((r) => garbage?.close(r)), new Promise((r) => silent?.close(r))])
  await chains?.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function exits2(args: string[], pattern: RegExp, withinMs = 15_000): Promise<void> {
  const started = Date.now()
  const r = await runCli(['loadtest', ...args])
  assert.is(r.code, 2, `exit ${r.code}: ${r.stderr}`)
  assert.match(r.stderr, pattern)
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
  assert.not.match(r.stderr, /\n\s+at /) // no stack
  assert.ok(Date.now() - started < withinMs, `took ${Date.now() - started} ms`)
}

/** The same refusals through the library (no process start): a LoadtestError (the CLI's exit 2) within `withinMs`. */
async function refused(values: Omit<LoadtestInput, 'kind'>, pattern: RegExp, withinMs = 10_000): Promise<void> {
  const started = Date.now()
  try {
    await runLoadtest({ kind: 'checker', progress: 'off', ...values } as LoadtestInput)
    assert.unreachable('ran')
  } catch (err) {
    assert.instance(err, LoadtestError)
    assert.instance(err, ConfigError) // what main() turns into one line and exit 2
    assert.match((err as Error).message, pattern)
  }
  assert.ok(Date.now() - started < withinMs, `took ${Date.now() - started} ms`)
}

test('an unreachable target: exit 2, one line', async () => {
  const port = await freePort()
  await exits2(
    ['checker', '--target', `http://127.0.0.1:${port}`, '--rpc', a.url],
    /^superguard loadtest: target http:\/\/127\.0\.0\.1:\d+ unreachable: ECONNREFUSED$/m,
  )
})

test('a target that never answers: exit 2 within --timeout', async () => {
  await refused({ target: url(silent), rpc: [a.url], timeout: '700ms' }, /unreachable: no answer within 700 ms/, 5000)
})

test('a target answering garbage, or not serving the method: exit 2', async () => {
  await refused({ target: url(garbage), rpc: [a.url] }, /does not answer JSON-RPC: HTTP 200 "hello, not JSON-RPC"/)
  await refused({ target: `${url(garbage)}/rpc`, rpc: [a.url] }, /does not serve interop_checkAccessList/)
})

test('a chain without logs, an unreachable --rpc: exit 2', async () => {
  await exits2(
    ['checker', '--target', url(garbage), '--rpc', a.url, '--rpc', b.url],
    /chain 902 \(.*\) has no logs in blocks 0\.\.\d+/,
  )
  const port = await freePort()
  await refused(
    { target: url(garbage), rpc: [`http://127.0.0.1:${port}`] },
    /--rpc http:\/\/127\.0\.0\.1:\d+ unreachable \(eth_chainId\)/,
  )
  await refused({ target: url(garbage), rpc: [`999=${a.url}`] }, /chain id is 901, not 999/)
})

test('bad options: every problem listed, exit 2', async () => {
  const r = await runCli([
    'loadtest',
    'checker',
    '--target',
    'nope',
    '--mix',
    'valid=1,bogus=2',
    '--expect',
    'p99 under 5',
  ])
  assert.is(r.code, 2)
  assert.match(r.stderr, /--target: expected an http\(s\) URL/)
  assert.match(r.stderr, /unknown checker case "bogus"/)
  assert.match(r.stderr, /expected METRIC OP VALUE/)
  assert.match(r.stderr, /checker needs --rpc/)
  const k = await runCli(['loadtest', 'flood'])
  assert.is(k.code, 2)
  assert.match(k.stderr, /unknown loadtest command "flood"/)
  // through the library: the loader's ConfigError, the same text
  try {
    await runLoadtest({ kind: 'ingress', target: 'http://127.0.0.1:1', rpc: [a.url] } as LoadtestInput)
    assert.unreachable('ran')
  } catch (err) {
    assert.instance(err, ConfigError)
    assert.match((err as Error).message, /ingress needs --key-file/)
  }
})

test('a scenario with an unknown step kind is refused before any step runs; a bad result file for compare', async () => {
  const file = join(dir, 'scenario.json')
  writeFileSync(
    file,
    JSON.stringify({
      defaults: { kind: 'checker', target: url(silent), rpc: [a.url] },
      steps: [{ load: { duration: '1s' } }, { earthquake: { builder: 'builder-A1' } }],
    }),
  )
  await exits2(
    ['run', file],
    /step 2: unknown step kind "earthquake" \(this superguard knows: load, traffic, fault, wait, recover, reorg, flood\)/,
    8000,
  )
  const { checkScenario, readScenario, readResult, runScenario } = await import('../../src/loadtest/index.js')
  // Chaos steps: checked before anything runs, and a fault without the cluster's manifest is refused.
  const bad = (steps: unknown[], re: RegExp) => assert.throws(() => checkScenario({ steps }), re)
  bad([{ fault: { kill: 'supervisor-{leader}' } }], /placeholders are \{leader:CHAIN\} and \{follower:CHAIN\}/)
  bad([{ fault: { kill: 'a', stop: 'b' } }], /exactly one of kill, stop, cont, slow/)
  bad([{ fault: { slow: 'engine-sim-A1' } }], /"slow" needs "latency"/)
  bad([{ fault: { stop: 'supervisor-1', for: 'soon' } }], /fault\.for: invalid duration/)
  bad([{ traffic: { interop: -1 } }], /traffic\.interop: expected 0\.\.10000 tx\/s/)
  bad([{ traffic: { stop: true }, expect: ['wrong=0'] }], /unknown figure "wrong" .*known: validRefused/)
  bad([{ wait: '5s', expect: ['lost=0'] }], /unknown metric "lost"/)
  bad([{ recover: { within: '1m', extra: 1 } }], /"recover" has unknown key "extra"/)
  bad([{ fault: { lie: 'supervisor-1', latency: '1s' } }], /"fault" has unknown key "latency"/)
  bad([{ reorg: { chain: 'A', executedOn: ['A'] } }], /reorg\.executedOn: a list of other chains/)
  bad([{ reorg: { chain: 'A', executedOn: ['B'], logs: 0 } }], /reorg\.logs: 1\.\.64/)
  bad([{ reorg: { chain: 'A', executedOn: ['B'] }, expect: ['lost=0'] }], /unknown metric "lost"/)
  bad([{ flood: { sequencer: 'sequencer-A{leader:A}' } }], /flood\.rate: submissions per second/)
  bad([{ flood: { sequencer: 'sequencer-{leader}', rate: 10 } }], /placeholders are/)
  checkScenario({ steps: [{ traffic: { stop: true }, expect: ['reorgIncludedAfter=0', 'sweepEvictVerdicts>=0'] }] })
  const refused = await runScenario(checkScenario({ steps: [{ fault: { kill: 'supervisor-1' } }] }), 'inline').then(
    () => undefined,
    (err: Error) => err,
  )
  assert.match(String(refused?.message), /a chaos step needs the cluster: superguard loadtest run FILE --manifest/)
  writeFileSync(file, JSON.stringify({ steps: [{ load: { kind: 'checker', duration: 'soon' } }] }))
  assert.throws(() => readScenario(file), /step 1: .*--duration: invalid duration "soon"/)
  writeFileSync(file, JSON.stringify({ steps: [{ load: {}, wait: {} }] }))
  assert.throws(
    () => readScenario(file),
    /step 1 must have exactly one kind key \(known: load, traffic, fault, wait, recover, reorg, flood\), got load, wait/,
  )
  writeFileSync(file, '{"steps": [')
  assert.throws(() => readScenario(file), /scenario .*scenario\.json: /)
  assert.throws(() => readResult(file), /scenario\.json: /)
  writeFileSync(file, '{"schema": 2}')
  await exits2(['compare', file, file], /not a superguard loadtest result \(schema 1\)/)
})

test.run()
