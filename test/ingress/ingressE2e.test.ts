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
import { deadUrl } from '../_helpers/supervisorDouble.js'

// The ingress in front of a real anvil (chain B, not mining, so accepted transactions stay in its
// txpool) with real superguard supervisors (index and rpc backends) indexing A and B; the
// initiating messages are emitted on A.
const logger = createLogger('silent')
let anvilA: Anvil, anvilB: Anvil
let A: DevChain, B: DevChain
let index: Supervisor, light: Supervisor
let message: InitiatingMessage
let dead: string
const signer = new DevSigner(DEV_KEYS[0])
const ingresses: Ingress[] = []

async function start(over: Partial<IngressInput> = {}): Promise<Ingress> {
  const ing = await startIngress({ port: 0, upstream: B.url, supervisor: [index.url], ...over }, { logger })
  ingresses.push(ing)
  return ing
}

async function send(
  ing: Ingress,
  raw: Hex,
): Promise<{ status: number; json: { result?: Hex; error?: { code: number; message: string } } }> {
  const res = await fetch(ing.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [raw] }),
  })
  return { status: res.status, json: (await res.json()) as never }
}

/** The pending transaction on B, or null when B never received it. */
const inTxpool = (raw: Hex) => B.client.request({ method: 'eth_getTransactionByHash', params: [keccak256(raw)] })

/** checkAccessList calls the supervisor itself counted (its JSON-RPC call metric). */
async function checksServed(s: Supervisor): Promise<number> {
  const m = await s.registry.getSingleMetric('superguard_rpc_calls_total')?.get()
  return (m?.values ?? [])
    .filter((v) => String(v.labels.method).endsWith('checkAccessList'))
    .reduce((n, v) => n + v.value, 0)
}

/** A forged executing transaction: the right lookup entry, a checksum for another payload. */
function forged(nonce?: number): Promise<Hex> {
  const wrong = accessListEntries([{ ...message, payloadHash: keccak256('0xbad0') }])
  return signExecuting(B, signer, message, wrong, nonce)
}

test.before(async () => {
  ;[anvilA, anvilB] = await Promise.all([
    startAnvil({ chainId: 900 }),
    startAnvil({ chainId: 901, args: ['--no-mining'] }),
  ])
  ;[A, B] = await Promise.all([setupChain(anvilA.url), setupChain(anvilB.url)])
  const argv = (backend: string) => [
    '--rpc',
    A.url,
    '--rpc',
    B.url,
    '--port',
    '0',
    '--backend',
    backend,
    '--db',
    ':memory:',
    '--poll',
    '50ms',
  ]
  ;[index, light] = await Promise.all([
    startSupervisor(supervisorConfig({ argv: argv('index') }), { logger, progress: false }),
    startSupervisor(supervisorConfig({ argv: argv('rpc') }), { logger }),
  ])
  await Promise.all([index.ready, light.ready])
  message = (await emitInitiating(A, new DevSigner(DEV_KEYS[1])))[0]!
  // the message's block must be cross-unsafe in the index before a cross-unsafe check passes
  await index.indexer!.until(900n, 'cross-unsafe', message.identifier.blockNumber)
  dead = await deadUrl()
})

test('a valid interop transaction reaches the txpool; a forged one gets -320600 / 409 and never does', async () => {
  const ing = await start()
  assert.is(ing.chainId, 901n, 'chain id read from the upstream')
  const raw = await signExecuting(B, signer, message)
  const ok = await send(ing, raw)
  assert.equal(ok, { status: 200, json: { jsonrpc: '2.0', id: 1, result: keccak256(raw) } as never })
  assert.ok(await inTxpool(raw), 'in the upstream txpool')
  const accepted = await ing.acceptedSet.get(keccak256(raw))
  assert.equal(accepted?.inboxEntries, accessListEntries([message]))

  const bad = await forged()
  const res = await send(ing, bad)
  assert.is(res.status, 409)
  assert.is(res.json.error?.code, -320600)
  assert.match(
    res.json.error?.message ?? '',
    /^conflicting data: checksum mismatch/,
    "the supervisor's message, relayed",
  )
  assert.is(await inTxpool(bad), null)
  signer.resetNonce(B)
})

test('a non-interop transaction passes without any supervisor call', async () => {
  const ing = await start()
  const before = await checksServed(index)
  const raw = await signer.sign(B, { to: '0x00000000000000000000000000000000000000aa', data: '0x' })
  assert.is((await send(ing, raw)).status, 200)
  assert.ok(await inTxpool(raw))
  assert.is(await checksServed(index), before)
})

test('limits, rate limit, malformed transactions and an unreachable supervisor get their exact errors', async () => {
  const ing = await start({ maxEntries: 2, rateLimit: 1, rateInterval: 3_600_000 })
  const n = await signer.nextNonce(B)
  const many = await send(
    ing,
    await signExecuting(B, signer, message, [...accessListEntries([message]), ...accessListEntries([message])], n),
  )
  assert.equal([many.status, many.json.error?.code], [413, -32022])
  const malformed = await send(ing, '0x02f8' as Hex)
  assert.equal([malformed.status, malformed.json.error?.code], [400, -32602])
  assert.is((await send(ing, await signExecuting(B, signer, message, undefined, n))).status, 200)
  const limited = await send(ing, await signExecuting(B, signer, message, undefined, n + 1))
  assert.equal(
    [limited.status, limited.json.error?.code, limited.json.error?.message],
    [429, -32017, 'sender is over rate limit'],
  )
  signer.resetNonce(B)

  const down = await start({ supervisor: [dead] })
  const raw = await signExecuting(B, signer, message)
  const res = await send(down, raw)
  assert.equal([res.status, res.json.error?.code], [500, -32000])
  assert.is(await inTxpool(raw), null, 'fails closed')
  signer.resetNonce(B)
})

test('every strategy over index + rpc supervisors with a third one down', async () => {
  for (const strategy of ['agreement', 'first', 'any', 'failover'] as const) {
    const ing = await start({
      strategy,
      supervisor: [index.url, light.url, dead],
      minResponses: strategy === 'agreement' ? 2 : undefined,
    })
    for (let i = 0; i < 3; i++) {
      const raw = await signExecuting(B, signer, message)
      const res = await send(ing, raw)
      assert.is(res.status, 200, `${strategy} accepts a valid transaction (${i}): ${JSON.stringify(res.json)}`)
      const bad = await forged()
      const rej = await send(ing, bad)
      assert.equal([rej.status, rej.json.error?.code], [409, -320600], `${strategy} refuses a forged one (${i})`)
      assert.is(await inTxpool(bad), null)
      signer.resetNonce(B)
    }
  }
  const unanimity = await start({ supervisor: [index.url, light.url, dead] })
  const res = await send(unanimity, await signExecuting(B, signer, message))
  assert.equal(
    [res.status, res.json.error?.code, res.json.error?.message],
    [500, -32000, 'interop quorum not reached: 2 definitive responses, 3 required'],
  )
  signer.resetNonce(B)
})

test.after(async () => {
  await Promise.all(ingresses.map((i) => i.close()))
  await Promise.all([index?.close(), light?.close()])
  await Promise.all([anvilA?.stop(), anvilB?.stop()])
})
test.run()
