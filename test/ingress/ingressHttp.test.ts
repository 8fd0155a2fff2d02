import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { keccak256 } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { DEV_KEYS } from '../../src/devnet/messages.js'
import { InvalidParamsError } from '../../src/errors/index.js'
import { Forwarder } from '../../src/ingress/forwarder.js'
import { type Ingress, type IngressInput, startIngress } from '../../src/ingress/index.js'
import { accessFor, CROSS_L2_INBOX, encodeAccess, type Hex } from '../../src/interop/index.js'
import { createLogger } from '../../src/util/logger.js'
import {
  CONFLICT,
  deadUrl,
  FAILSAFE,
  type SupervisorDouble,
  startSupervisorDouble,
  VALID,
} from '../_helpers/supervisorDouble.js'
import { startUpstreamDouble, type UpstreamDouble } from '../_helpers/upstreamDouble.js'

// The ingress over HTTP against doubles: every answer's JSON-RPC code and HTTP status.
const CHAIN = 901n
const account = privateKeyToAccount(DEV_KEYS[0])
const other = privateKeyToAccount(DEV_KEYS[1])
let nonce = 0
let upstream: UpstreamDouble
let builder: UpstreamDouble
let supervisor: SupervisorDouble
const ingresses: Ingress[] = []

function entries(i: number): Hex[] {
  const id = {
    origin: '0x00000000000000000000000000000000000e1771' as Hex,
    blockNumber: BigInt(i + 1),
    logIndex: i,
    timestamp: 1_700_000_000n + BigInt(i),
    chainId: 900n,
  }
  return encodeAccess(accessFor(id, keccak256(`0x${i.toString(16).padStart(2, '0')}`)))
}

function sign(
  opts: { keys?: Hex[]; chainId?: bigint; signer?: typeof account; dataBytes?: number } = {},
): Promise<Hex> {
  return (opts.signer ?? account).signTransaction({
    type: 'eip1559',
    chainId: Number(opts.chainId ?? CHAIN),
    nonce: nonce++,
    to: CROSS_L2_INBOX,
    gas: 200_000n,
    maxFeePerGas: 2n,
    maxPriorityFeePerGas: 1n,
    data: opts.dataBytes ? `0x${'00'.repeat(opts.dataBytes)}` : undefined,
    accessList: opts.keys ? [{ address: CROSS_L2_INBOX, storageKeys: opts.keys }] : [],
  })
}

async function start(over: Partial<IngressInput> = {}): Promise<Ingress> {
  const ing = await startIngress(
    { port: 0, upstream: upstream.url, supervisor: [supervisor.url], builder: [builder.url], ...over },
    { logger: createLogger('silent') },
  )
  ingresses.push(ing)
  return ing
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read whatever JSON the ingress answered
async function post(ing: Ingress, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(ing.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, json: await res.json() }
}
const send = (ing: Ingress, raw: unknown, id = 1) =>
  post(ing, { jsonrpc: '2.0', id, method: 'eth_sendRawTransaction', params: [raw] })

test.before(async () => {
  upstream = await startUpstreamDouble({ chainId: CHAIN })
  builder = await startUpstreamDouble({ chainId: CHAIN })
  supervisor = await startSupervisorDouble(VALID)
})

test('plain transactions pass without a supervisor call and reach upstream and builder', async () => {
  const ing = await start()
  assert.is(ing.chainId, CHAIN, 'chain id read from the upstream')
  const raw = await sign()
  const res = await send(ing, raw)
  assert.equal(res, { status: 200, json: { jsonrpc: '2.0', id: 1, result: keccak256(raw) } })
  assert.is(supervisor.calls, 0)
  assert.ok(upstream.received.includes(raw))
  await builder.waitFor(raw)
  assert.is(ing.acceptedSet.size, 0)
  const cond = await post(ing, {
    jsonrpc: '2.0',
    id: 2,
    method: 'eth_sendRawTransactionConditional',
    params: [await sign(), { knownAccounts: {} }],
  })
  assert.is(cond.status, 200)
  assert.ok(typeof cond.json.result === 'string')
})

test('a builder that is down or never answers costs the sender nothing', async () => {
  const hanging = await startSupervisorDouble(VALID) // any HTTP server works; this one holds every answer
  const release = hanging.hold()
  const ing = await start({ builder: [await deadUrl(), hanging.url] })
  const raw = await sign()
  assert.equal((await send(ing, raw)).json.result, keccak256(raw))
  release()
  await hanging.close()
})

test('a valid interop transaction is checked, de-duplicated, forwarded and remembered', async () => {
  const ing = await start()
  const keys = [...entries(1), ...entries(2), ...entries(1)]
  const raw = await sign({ keys })
  const before = Date.now()
  const res = await send(ing, raw)
  assert.equal(res, { status: 200, json: { jsonrpc: '2.0', id: 1, result: keccak256(raw) } })
  const [sent, safety, descriptor] = supervisor.lastParams as [
    Hex[],
    string,
    { chainID: string; timestamp: Hex; timeout: Hex },
  ]
  assert.equal(sent, [...entries(1), ...entries(2)], 'duplicates dropped')
  assert.is(safety, 'cross-unsafe')
  assert.is(descriptor.chainID, '901')
  assert.is(descriptor.timeout, '0x1c20')
  const ts = Number(BigInt(descriptor.timestamp))
  assert.ok(ts >= Math.floor(before / 1000) + 30 && ts <= Math.floor(Date.now() / 1000) + 30, 'now + 30 s')
  const accepted = await ing.acceptedSet.get(keccak256(raw))
  assert.ok(accepted)
  assert.equal(accepted!.inboxEntries, sent)
  assert.is(accepted!.raw, raw)
  await builder.waitFor(raw) // fire-and-forget: it arrives, but not before the answer
})

test('supervisor rejections keep their code and get proxyd statuses; nothing is forwarded', async () => {
  const ing = await start()
  supervisor.answer = CONFLICT
  const forged = await sign({ keys: entries(3) })
  assert.equal(await send(ing, forged), {
    status: 409,
    json: { jsonrpc: '2.0', id: 1, error: { code: -320600, message: 'conflicting data' } },
  })
  supervisor.answer = FAILSAFE
  const fs = await send(ing, await sign({ keys: entries(3) }))
  assert.is(fs.status, 503)
  assert.is(fs.json.error.code, -320602)
  supervisor.answer = VALID
  assert.not.ok(upstream.received.includes(forged))
  assert.is(ing.acceptedSet.size, 0)
})

test('an unreachable supervisor fails closed with -32000 / HTTP 500', async () => {
  const ing = await start({ supervisor: [await deadUrl()] })
  const raw = await sign({ keys: entries(4) })
  const res = await send(ing, raw)
  assert.is(res.status, 500)
  assert.is(res.json.error.code, -32000)
  assert.is(res.json.error.message, 'interop quorum not reached: 0 definitive responses, 1 required')
  assert.not.ok(upstream.received.includes(raw))
})

test('limits, malformed input and the sender rate limit get their exact errors before any supervisor call', async () => {
  const ing = await start({ maxEntries: 4, rateLimit: 2, rateInterval: 3_600_000, bodyLimit: 4096 })
  const calls = supervisor.calls
  const many = await send(ing, await sign({ keys: [...entries(5), ...entries(6), ...entries(7)] }))
  assert.equal(
    [many.status, many.json.error.code, many.json.error.message],
    [413, -32022, 'access list out of bounds: 6 entries, at most 4'],
  )
  const big = await send(ing, await sign({ dataBytes: 5000 }))
  assert.equal([big.status, big.json.error.code], [413, -32021])
  const unparsable = await send(ing, await sign({ keys: [entries(5)[1]!] }))
  assert.equal(
    [unparsable.status, unparsable.json.error.code, unparsable.json.error.message],
    [400, -32602, 'failed to read data: expected lookup, got entry type 3: unexpected entry type'],
  )
  const garbage = await send(ing, '0x02c0')
  assert.equal([garbage.status, garbage.json.error.code], [400, -32602])
  const wrongChain = await send(ing, await sign({ chainId: 902n }))
  assert.equal(
    [wrongChain.status, wrongChain.json.error.code, wrongChain.json.error.message],
    [400, -32602, 'invalid chain id for signer: have 902 want 901'],
  )
  assert.is(supervisor.calls, calls, 'cheap checks reject without a supervisor call')
  for (let i = 0; i < 2; i++) assert.is((await send(ing, await sign({ keys: entries(8 + i) }))).status, 200)
  const limited = await send(ing, await sign({ keys: entries(10) }))
  assert.equal(
    [limited.status, limited.json.error.code, limited.json.error.message],
    [429, -32017, 'sender is over rate limit'],
  )
  assert.is(
    (await send(ing, await sign({ keys: entries(11), signer: other }))).status,
    200,
    'other senders are not limited',
  )
  assert.is((await send(ing, await sign())).status, 200, 'plain transactions are not limited')
})

test('params nested 60k deep are the client\'s -32600 (HTTP 400), never 503 "upstream unavailable" with the upstream up', async () => {
  const ing = await start()
  const nested = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`
  const res = await post(ing, `{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[${nested(60_000)}]}`)
  assert.equal(res, {
    status: 400,
    json: {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'invalid request: nested deeper than 64 levels' },
    },
  })
  // The cause: the forwarder called every failure but a JSON-RPC answer "upstream unavailable",
  // the RangeError of encoding such params for the upstream included.
  const forwarder = new Forwarder(upstream.url, [], {
    upstreamTimeoutMs: 1000,
    builderTimeoutMs: 1000,
    log: createLogger('silent'),
  })
  let deep: unknown = 1
  for (let i = 0; i < 60_000; i++) deep = [deep]
  try {
    const err = await forwarder.call('eth_call', [deep]).then(
      () => undefined,
      (e: unknown) => e,
    )
    assert.instance(err, InvalidParamsError)
    assert.is((err as InvalidParamsError).message, 'params nested too deep to forward')
  } finally {
    forwarder.close()
  }
})

test('other methods: allow-list proxied, eth_chainId local, the rest -32601; batches answer per item', async () => {
  const ing = await start({ allowMethod: ['eth_blockNumber'] })
  assert.equal((await post(ing, { jsonrpc: '2.0', id: 1, method: 'eth_blockNumber' })).json.result, '0x2a')
  assert.equal((await post(ing, { jsonrpc: '2.0', id: 1, method: 'eth_chainId' })).json.result, '0x385')
  const nf = await post(ing, { jsonrpc: '2.0', id: 1, method: 'eth_getBalance', params: [] })
  assert.is(nf.json.error.code, -32601)
  supervisor.answer = CONFLICT
  const forged = await sign({ keys: entries(12) })
  const plain = await sign()
  const batch = await post(ing, [
    { jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [plain] },
    { jsonrpc: '2.0', id: 2, method: 'eth_sendRawTransaction', params: [forged] },
    { jsonrpc: '2.0', id: 3, method: 'eth_sendRawTransaction', params: ['0xzz'] },
    { jsonrpc: '2.0', id: 4, method: 'eth_blockNumber' },
  ])
  supervisor.answer = VALID
  assert.is(batch.status, 200)
  assert.equal(
    batch.json.map((r: { id: number; result?: unknown; error?: { code: number } }) => [
      r.id,
      r.result ?? r.error!.code,
    ]),
    [
      [1, keccak256(plain)],
      [2, -320600],
      [3, -32602],
      [4, '0x2a'],
    ],
  )
  assert.not.ok(upstream.received.includes(forged))
})

test('metrics count validations and supervisor checks like proxyd', async () => {
  const ing = await start()
  await send(ing, await sign({ keys: entries(13) }))
  const text = await (await fetch(`${ing.url}/metrics`)).text()
  assert.match(text, /superguard_ingress_validations_total\{result="passed",reason="none",strategy="agreement"\} 1/)
  assert.match(
    text,
    new RegExp(
      `superguard_ingress_supervisor_checks_total\\{url="${supervisor.url}",http_code="200",rpc_code="-"\\} 1`,
    ),
  )
  const health = (await (await fetch(`${ing.url}/healthz`)).json()) as { chainId: string }
  assert.is(health.chainId, '901')
})

test.after(async () => {
  await Promise.all(ingresses.map((i) => i.close()))
  await Promise.all([upstream.close(), builder.close(), supervisor.close()])
})
test.run()
