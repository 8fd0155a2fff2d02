import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { keccak256 } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { DEV_KEYS } from '../../src/devnet/messages.js'
import { type Ingress, startIngress } from '../../src/ingress/index.js'
import { accessFor, CROSS_L2_INBOX, encodeAccess, type Hex } from '../../src/interop/index.js'
import { createLogger } from '../../src/util/logger.js'
import { CONFLICT, type SupervisorDouble, startSupervisorDouble, VALID } from '../_helpers/supervisorDouble.js'
import { startUpstreamDouble, type UpstreamDouble } from '../_helpers/upstreamDouble.js'

// Issue 11: proxyd filters eth_sendBundle too, and flashblocks RPCs take eth_sendRawTransactionSync;
// neither may carry an interop transaction past the check. The ingress over HTTP on 127.0.0.1
// against a supervisor double that answers -320600 -321100 as op-interop-filter does.
const CHAIN = 901n
const account = privateKeyToAccount(DEV_KEYS[0])
let nonce = 0
let upstream: UpstreamDouble
let supervisor: SupervisorDouble
let ing: Ingress

const keys = (i: number): Hex[] =>
  encodeAccess(
    accessFor(
      {
        origin: '0x00000000000000000000000000000000000e1771',
        blockNumber: 5n,
        logIndex: i,
        timestamp: 1_700_000_000n,
        chainId: 900n,
      },
      keccak256(`0x${i.toString(16).padStart(2, '0')}`),
    ),
  )
const sign = (storageKeys?: Hex[]) =>
  account.signTransaction({
    type: 'eip1559',
    chainId: Number(CHAIN),
    nonce: nonce++,
    to: CROSS_L2_INBOX,
    gas: 200_000n,
    maxFeePerGas: 2n,
    maxPriorityFeePerGas: 1n,
    accessList: storageKeys ? [{ address: CROSS_L2_INBOX, storageKeys }] : [],
  })
// biome-ignore lint/suspicious/noExplicitAny: the tests read whatever JSON the ingress answered
const call = async (method: string, params: unknown[]): Promise<{ status: number; json: any }> => {
  const res = await fetch(ing.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return { status: res.status, json: await res.json() }
}

test.before(async () => {
  upstream = await startUpstreamDouble({ chainId: CHAIN })
  supervisor = await startSupervisorDouble(VALID)
  ing = await startIngress(
    { host: '127.0.0.1', port: 0, upstream: upstream.url, supervisor: [supervisor.url] },
    { logger: createLogger('silent') },
  )
})
test.after(async () => {
  await ing?.close()
  await Promise.all([upstream?.close(), supervisor?.close()])
})
test.before.each(() => {
  supervisor.answer = VALID
})

test('eth_sendBundle: every transaction checked; one refusal refuses the bundle, nothing forwarded', async () => {
  const plain = await sign()
  const interop = await sign(keys(1))
  const ok = await call('eth_sendBundle', [{ txs: [plain, interop], blockNumber: '0x2b' }])
  assert.is(ok.status, 200)
  assert.ok(ok.json.result?.bundleHash)
  assert.ok(upstream.received.includes(interop))
  assert.ok(ing.acceptedSet.get(keccak256(interop)), 'the interop transaction is swept like any other')

  supervisor.answer = CONFLICT
  const forged = await sign(keys(2))
  const plain2 = await sign()
  const refused = await call('eth_sendBundle', [{ txs: [plain2, forged], blockNumber: '0x2b' }])
  assert.is(refused.status, 409)
  assert.is(refused.json.error.code, -320600)
  assert.not.ok(upstream.received.includes(plain2), 'a refused bundle is not forwarded at all')
  assert.is((await call('eth_sendBundle', [{ txs: [] }])).json.error.code, -32602)
})

test('eth_sendRawTransactionSync is checked as eth_sendRawTransaction is', async () => {
  supervisor.answer = CONFLICT
  const forged = await sign(keys(3))
  const r = await call('eth_sendRawTransactionSync', [forged])
  assert.is(r.json.error.code, -320600)
  assert.not.ok(upstream.received.includes(forged))
  supervisor.answer = VALID
  const good = await sign(keys(4))
  assert.is((await call('eth_sendRawTransactionSync', [good])).json.result, keccak256(good))
})

test('-321100 (op-interop-filter: not yet ingested) is not a verdict: the check fails closed with that retryable answer', async () => {
  supervisor.answer = {
    error: { code: -321100, message: 'timestamp 9 not yet ingested (min ingested: 8): out of scope' },
  }
  const r = await call('eth_sendRawTransaction', [await sign(keys(5))])
  assert.is(r.json.result, undefined, 'refused: no definitive verdict')
  assert.is(r.json.error.code, -321100, 'the sender is told to retry (the supervisor is behind), not -32000 no verdict')
})

test.run()
