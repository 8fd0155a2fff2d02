import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { keccak256 } from 'viem'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import {
  accessListEntries,
  DEV_KEYS,
  type DevChain,
  DevSigner,
  emitInitiating,
  type InitiatingMessage,
  setupChain,
  signExecuting,
} from '../../src/devnet/messages.js'
import { type Ingress, type IngressInput, startIngress } from '../../src/ingress/index.js'
import type { Hex } from '../../src/interop/index.js'
import { type Supervisor, startSupervisor, supervisorConfig } from '../../src/supervisor/index.js'
import { createLogger } from '../../src/util/logger.js'
import { runCli } from '../_helpers/cli.js'
import { deadUrl } from '../_helpers/supervisorDouble.js'

// A log index partitioned by source chain: real anvil chains A (900) and C (902) emit initiating
// messages, B (901, --no-mining) executes; supervisor SA indexes A, supervisor SC indexes C (each
// also holds B, the executing chain its checks name). The ingress routes each access to the
// supervisor of its chain (--route 900=SA --route 902=SC, no --supervisor): a transaction whose
// access list touches both chains is valid only when both parts are.
const logger = createLogger('silent')
let anvils: Anvil[] = []
let A: DevChain, B: DevChain, C: DevChain
let SA: Supervisor, SC: Supervisor
let onA: InitiatingMessage, onC: InitiatingMessage
let dead: string
const signer = new DevSigner(DEV_KEYS[0])
const ingresses: Ingress[] = []

async function start(over: Partial<IngressInput> = {}): Promise<Ingress> {
  const ing = await startIngress(
    { port: 0, upstream: B.url, route: [`900=${SA.url}`, `902=${SC.url}`], failsafePoll: 0, ...over },
    { logger },
  )
  ingresses.push(ing)
  return ing
}

async function send(ing: Ingress, raw: Hex): Promise<{ status: number; code: number | undefined }> {
  const res = await fetch(ing.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [raw] }),
  })
  const json = (await res.json()) as { error?: { code: number } }
  return { status: res.status, code: json.error?.code }
}

const inTxpool = (raw: Hex) => B.client.request({ method: 'eth_getTransactionByHash', params: [keccak256(raw)] })

/** The access of `m` with a checksum for another payload (a forged part on m's chain). */
const forgedOf = (m: InitiatingMessage) => ({ ...m, payloadHash: keccak256('0xbad0') })

/** An executing transaction on B declaring accesses to `msgs`, each with its own right or forged checksum. */
const executing = (msgs: InitiatingMessage[], nonce?: number) =>
  signExecuting(B, signer, onA, accessListEntries(msgs), nonce)

async function routeChecks(ing: Ingress): Promise<Record<string, number>> {
  const text = await (await fetch(`${ing.url}/metrics`)).text()
  const out: Record<string, number> = {}
  for (const line of text.split('\n')) {
    const x = /^superguard_ingress_route_checks_total\{route="([^"]+)",result="([^"]+)"\} (\d+)/.exec(line)
    if (x) out[`${x[1]} ${x[2]}`] = Number(x[3])
  }
  return out
}

test.before(async () => {
  anvils = await Promise.all([
    startAnvil({ chainId: 900 }),
    startAnvil({ chainId: 901, args: ['--no-mining'] }),
    startAnvil({ chainId: 902 }),
  ])
  const chains = await Promise.all(anvils.map((a) => setupChain(a.url)))
  ;[A, B, C] = [chains[0]!, chains[1]!, chains[2]!]
  const argv = (source: DevChain) => [
    ...['--rpc', source.url, '--rpc', B.url],
    ...['--port', '0', '--backend', 'index', '--db', ':memory:', '--poll', '50ms'],
  ]
  ;[SA, SC] = await Promise.all([
    startSupervisor(supervisorConfig({ argv: argv(A) }), { logger, progress: false }),
    startSupervisor(supervisorConfig({ argv: argv(C) }), { logger, progress: false }),
  ])
  await Promise.all([SA.ready, SC.ready])
  const emitter = new DevSigner(DEV_KEYS[1])
  ;[onA, onC] = [(await emitInitiating(A, emitter))[0]!, (await emitInitiating(C, emitter))[0]!]
  await Promise.all([
    SA.indexer!.until(900n, 'cross-unsafe', onA.identifier.blockNumber),
    SC.indexer!.until(902n, 'cross-unsafe', onC.identifier.blockNumber),
  ])
  dead = await deadUrl()
})

test.after(async () => {
  await Promise.all(ingresses.map((i) => i.close()))
  await Promise.all([SA?.close(), SC?.close()])
  await Promise.all(anvils.map((a) => a.stop()))
})

test('an access list touching both chains is accepted only when both parts are valid', async () => {
  const ing = await start()
  const forgedA = await executing([forgedOf(onA), onC])
  const forgedC = await executing([onA, forgedOf(onC)])
  for (const [name, raw] of [
    ['forged part on A', forgedA],
    ['forged part on C', forgedC],
  ] as const) {
    assert.equal(await send(ing, raw), { status: 409, code: -320600 }, name)
    assert.is(await inTxpool(raw), null, name)
  }
  signer.resetNonce(B)
  const both = await executing([onA, onC])
  assert.equal(await send(ing, both), { status: 200, code: undefined })
  assert.ok(await inTxpool(both), 'in the upstream txpool')
  assert.equal((await ing.acceptedSet.get(keccak256(both)))?.inboxEntries, accessListEntries([onA, onC]))
  const counts = await routeChecks(ing)
  assert.is(counts['900 passed'], 2, 'A part valid in the good transaction and in the one forged on C')
  assert.is(counts['902 passed'], 2)
  assert.is(counts['900 filtered'], 1)
  assert.is(counts['902 filtered'], 1)
})

test('a chain with no route and no --supervisor is -320501 / 404, answered without a supervisor', async () => {
  const ing = await start()
  const elsewhere = { ...onA, identifier: { ...onA.identifier, chainId: 777n } }
  const raw = await executing([onA, elsewhere])
  assert.equal(await send(ing, raw), { status: 404, code: -320501 })
  signer.resetNonce(B)
  assert.is((await routeChecks(ing))['none filtered'], 1)
  assert.is((await routeChecks(ing))['900 passed'], undefined, 'no part was asked')
})

test('--supervisor is the default route: chains without a --route of their own go there', async () => {
  const ing = await start({ route: [`902=${SC.url}`], supervisor: [SA.url] })
  const raw = await executing([onA, onC])
  assert.equal(await send(ing, raw), { status: 200, code: undefined })
  const counts = await routeChecks(ing)
  assert.equal([counts['default passed'], counts['902 passed']], [1, 1])
})

test('a route down: agreement fails closed for its chain only; failover over its redundancy set goes on', async () => {
  const down = await start({ route: [`900=${SA.url}`, `902=${dead}`] })
  const both = await executing([onA, onC])
  assert.equal(await send(down, both), { status: 500, code: -32000 }, 'no verdict for the C part: fails closed')
  assert.is(await inTxpool(both), null)
  signer.resetNonce(B)
  const aOnly = await executing([onA])
  assert.equal(await send(down, aOnly), { status: 200, code: undefined }, "A's partition answers on its own")
  assert.is((await routeChecks(down))['902 errored'], 1)
  const health = (await (await fetch(`${down.url}/healthz`)).json()) as { routes: { route: string }[] }
  assert.equal(
    health.routes.map((r) => r.route),
    ['900', '902'],
  )

  const failover = await start({ route: [`900=${SA.url}`, `902=${dead}`, `902=${SC.url}`], strategy: 'failover' })
  const again = await executing([onA, onC])
  assert.equal(await send(failover, again), { status: 200, code: undefined }, 'the next supervisor of 902')
  // agreement with --min-responses 1 over [dead, SC]: the live one's verdict is the quorum
  const quorum = await start({ route: [`900=${SA.url}`, `902=${dead}`, `902=${SC.url}`], minResponses: 1 })
  const third = await executing([onA, onC])
  assert.equal(await send(quorum, third), { status: 200, code: undefined })
})

test('bad --route values are a one-line start-up error, exit 2', async () => {
  const r = await runCli([
    'ingress',
    ...['--upstream', 'http://127.0.0.1:1', '--route', '10', '--route', '10=ftp://x', '--route', '0=http://a'],
    ...['--route', '8453=http://a:1', '--route', '8453=http://b:1', '--min-responses', '3'],
  ])
  assert.is(r.code, 2)
  assert.match(r.stderr, /--route "10": expected CHAINID=URL/)
  assert.match(r.stderr, /--route "10=ftp:\/\/x": expected an http\(s\) URL/)
  assert.match(r.stderr, /--route "0=http:\/\/a": chain id must be in 1\.\.2\^256-1/)
  assert.match(r.stderr, /--min-responses 3 exceeds the number of supervisors of chain 8453 \(2, --route\)/)
  const none = await runCli(['ingress', '--upstream', 'http://127.0.0.1:1'])
  assert.is(none.code, 2)
  assert.match(none.stderr, /--supervisor is required \(at least one\), or --route CHAINID=URL/)
})

test.run()
