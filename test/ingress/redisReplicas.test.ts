import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { keccak256 } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { type Ingress, type IngressInput, startIngress } from '../../src/ingress/index.js'
import { accessFor, CROSS_L2_INBOX, encodeAccess, type Hex } from '../../src/interop/index.js'
import { createRegistry } from '../../src/rpc/index.js'
import { startSweep } from '../../src/sweep/index.js'
import { createLogger } from '../../src/util/logger.js'
import { spawnCli } from '../_helpers/cli.js'
import { type RedisServer, startRedisServer } from '../_helpers/redisServer.js'
import { CONFLICT, type SupervisorDouble, startSupervisorDouble, VALID } from '../_helpers/supervisorDouble.js'
import { startUpstreamDouble, type UpstreamDouble } from '../_helpers/upstreamDouble.js'

// Ingress replicas sharing the per-sender rate limit and the accepted set through a real
// redis-server, and what happens to a request when Redis dies or hangs.
const CHAIN = 901n
const logger = createLogger('silent')
let redis: RedisServer
let upstream: UpstreamDouble
let supervisor: SupervisorDouble
const children: ChildProcess[] = []
const ingresses: Ingress[] = []
let nonce = 0
/** A sender each (the limit is per sender). */
const KEYS = ['11', '22', '33', '44'].map((b) => `0x${b.repeat(32)}` as Hex) as [Hex, Hex, Hex, Hex]

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

function sign(signer: Hex, keys: Hex[] = entries(nonce)): Promise<Hex> {
  return privateKeyToAccount(signer).signTransaction({
    type: 'eip1559',
    chainId: Number(CHAIN),
    nonce: nonce++,
    to: CROSS_L2_INBOX,
    gas: 200_000n,
    maxFeePerGas: 2n,
    maxPriorityFeePerGas: 1n,
    accessList: keys.length ? [{ address: CROSS_L2_INBOX, storageKeys: keys }] : [],
  })
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read whatever JSON the ingress answered
async function send(url: string, raw: Hex): Promise<{ status: number; json: any }> {
  // A hung request fails the test here instead of hanging it.
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [raw] }),
    signal: AbortSignal.timeout(5000),
  })
  return { status: res.status, json: await res.json() }
}

/** `superguard ingress` as its own process; resolves with its URL once it listens. */
async function spawnIngress(args: string[]): Promise<string> {
  const child = spawnCli([
    'ingress',
    '--port',
    '0',
    '--upstream',
    upstream.url,
    '--supervisor',
    supervisor.url,
    '--redis',
    redis.url,
    ...args,
  ])
  children.push(child)
  let out = ''
  return new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"ingress listening"/.exec(out)
      if (m) resolve(m[1]!)
    })
    child.once('exit', (code) => reject(new Error(`ingress exited ${code}: ${out}`)))
  })
}

async function start(over: Partial<IngressInput>): Promise<Ingress> {
  const ing = await startIngress(
    { port: 0, upstream: upstream.url, supervisor: [supervisor.url], redis: redis.url, ...over },
    { logger, registry: createRegistry() },
  )
  ingresses.push(ing)
  return ing
}

test.before(async () => {
  ;[redis, upstream, supervisor] = await Promise.all([
    startRedisServer(),
    startUpstreamDouble({ chainId: CHAIN }),
    startSupervisorDouble(VALID),
  ])
})

test('two ingress processes share one sender limit; one accepts, a sweep elsewhere sees and evicts it', async () => {
  // A window of an hour: the test never straddles two windows.
  const limit = ['--rate-limit', '3', '--rate-interval', '1h']
  const [a, b] = await Promise.all([spawnIngress(limit), spawnIngress(limit)])
  const [k1, k2] = [KEYS[0], KEYS[1]]
  const codes = []
  for (const url of [a, b, a, b]) {
    const r = await send(url, await sign(k1))
    codes.push(r.status === 200 ? 'ok' : `${r.status} ${r.json.error.code}`)
  }
  assert.equal(codes, ['ok', 'ok', 'ok', '429 -32017'], 'the fourth, on either replica, is over the shared limit')
  assert.is((await send(b, await sign(k2))).status, 200, 'another sender has its own limit')

  // What replica a accepted, a sweep in this process (no ingress of its own) sees through Redis.
  const raw = await sign(k2, entries(77))
  assert.is((await send(a, raw)).status, 200)
  const sweep = await startSweep(
    {
      source: 'accepted',
      redis: redis.url,
      mode: 'supervisor',
      supervisor: supervisor.url,
      chainId: CHAIN.toString(),
      drop: true,
      threads: 1,
    },
    { logger },
  )
  try {
    supervisor.answer = (params) => ((params[0] as Hex[]).includes(entries(77)[1]!) ? CONFLICT : VALID)
    const r = await sweep.runOnce()
    assert.is(r.pool.interop, 5, 'every transaction either replica accepted')
    const evicted = r.transactions.filter((t) => t.action === 'evict').map((t) => t.hash)
    assert.equal(evicted, [keccak256(raw)])
    assert.is(r.actions.dropped, 1)
    const again = await sweep.runOnce()
    assert.is(again.pool.interop, 4, '--drop removed it from the shared set')
  } finally {
    supervisor.answer = VALID
    await sweep.close()
  }
})

test('Redis killed or hung mid-run: closed refuses at once (503 -32603), open lets through; both recover', async () => {
  const closed = await start({ redisFail: 'closed', redisTimeout: 200 })
  const open = await start({ redisFail: 'open', redisTimeout: 200 })
  assert.is((await send(closed.url, await sign(KEYS[2]))).status, 200)

  redis.pause() // hung: the socket is open, nothing answers; the command timeout bounds the wait
  const hung = await send(closed.url, await sign(KEYS[2]))
  assert.equal([hung.status, hung.json.error.code, hung.json.error.message], [503, -32603, 'rate limit unavailable'])
  redis.resume()

  const port = redis.port
  await redis.kill()
  const down = await send(closed.url, await sign(KEYS[2]))
  assert.equal([down.status, down.json.error.code], [503, -32603])
  const plain = await send(closed.url, await sign(KEYS[2], []))
  assert.is(plain.status, 200, 'plain transactions never touch Redis')
  const raw = await sign(KEYS[2])
  const through = await send(open.url, raw)
  assert.equal(through.json.result, keccak256(raw), 'fail open: forwarded without the limit')
  assert.is(await open.acceptedSet.add({ hash: keccak256(raw), raw, inboxEntries: [], firstSeen: 0 }), false)

  const metrics = await fetch(`${closed.url}/metrics`).then((r) => r.text())
  assert.match(metrics, /superguard_ingress_redis_up 0/)
  assert.match(metrics, /superguard_ingress_redis_errors_total\{op="rate_limit"\} [2-9]/)
  assert.match(metrics, /superguard_ingress_validations_total\{result="errored",reason="-32603"/)
  const health = (await fetch(`${closed.url}/healthz`).then((r) => r.json())) as { redis: { up: boolean } }
  assert.equal(health.redis.up, false)

  // The same Redis comes back: the next reconnection attempt (≤ 2 s) finds it.
  redis = await startRedisServer({ port })
  const deadline = Date.now() + 10_000
  let status = 0
  while (Date.now() < deadline) {
    status = (await send(closed.url, await sign(KEYS[3]))).status
    if (status === 200) break
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.is(status, 200, 'recovered after Redis came back')
})

test.after(async () => {
  const running = children.filter((c) => c.exitCode === null)
  for (const c of running) c.kill('SIGTERM')
  await Promise.all(running.map((c) => once(c, 'exit')))
  await Promise.all(ingresses.map((i) => i.close()))
  await Promise.all([redis.stop(), upstream.close(), supervisor.close()])
})

test.run()
