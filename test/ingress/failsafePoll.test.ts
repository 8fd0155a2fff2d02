import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { keccak256 } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { DEV_KEYS } from '../../src/devnet/messages.js'
import { type Ingress, startIngress } from '../../src/ingress/index.js'
import { accessFor, CROSS_L2_INBOX, encodeAccess, type Hex } from '../../src/interop/index.js'
import { createLogger } from '../../src/util/logger.js'
import { type SupervisorDouble, startSupervisorDouble, VALID } from '../_helpers/supervisorDouble.js'
import { startUpstreamDouble, type UpstreamDouble } from '../_helpers/upstreamDouble.js'

// Issue 11: the ingress polls admin_getFailsafeEnabled on every supervisor, as op-reth does, and
// OR-s the answers: on at the first true, off only once every supervisor says false. While on,
// interop transactions are refused -320602 / HTTP 503 without a check; plain ones still pass.
const CHAIN = 901n
const account = privateKeyToAccount(DEV_KEYS[0])
let nonce = 0
let upstream: UpstreamDouble
let s1: SupervisorDouble
let s2: SupervisorDouble
let ing: Ingress

const sign = (interop: boolean) =>
  account.signTransaction({
    type: 'eip1559',
    chainId: Number(CHAIN),
    nonce: nonce++,
    to: CROSS_L2_INBOX,
    gas: 200_000n,
    maxFeePerGas: 2n,
    maxPriorityFeePerGas: 1n,
    accessList: interop
      ? [
          {
            address: CROSS_L2_INBOX,
            storageKeys: encodeAccess(
              accessFor(
                {
                  origin: '0x00000000000000000000000000000000000e1771',
                  blockNumber: 5n,
                  logIndex: nonce,
                  timestamp: 1_700_000_000n,
                  chainId: 900n,
                },
                keccak256('0x01'),
              ),
            ) as Hex[],
          },
        ]
      : [],
  })
// biome-ignore lint/suspicious/noExplicitAny: the tests read whatever JSON the ingress answered
const send = async (raw: Hex): Promise<{ status: number; json: any }> => {
  const res = await fetch(ing.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [raw] }),
  })
  return { status: res.status, json: await res.json() }
}
/** Waits (bounded) for the gate to see `n` more polls of both supervisors: the poll has no event to await. */
const polls = async (n = 1) => {
  const want = [s1.failsafePolls + n, s2.failsafePolls + n]
  const deadline = Date.now() + 5_000
  while (s1.failsafePolls < want[0]! || s2.failsafePolls < want[1]!) {
    if (Date.now() > deadline) throw new Error('no failsafe poll within 5 s')
    await new Promise((r) => setTimeout(r, 20))
  }
  await new Promise((r) => setImmediate(r)) // the round's answers are applied after the responses
}

test.before(async () => {
  upstream = await startUpstreamDouble({ chainId: CHAIN })
  ;[s1, s2] = await Promise.all([startSupervisorDouble(VALID), startSupervisorDouble(VALID)])
  ing = await startIngress(
    { host: '127.0.0.1', port: 0, upstream: upstream.url, supervisor: [s1.url, s2.url], failsafePoll: 100 },
    { logger: createLogger('silent') },
  )
})
test.after(async () => {
  await ing?.close()
  await Promise.all([upstream?.close(), s1?.close(), s2?.close()])
})

test('failsafe at any supervisor refuses interop transactions -320602 / 503 without a check; plain ones pass', async () => {
  assert.is((await send(await sign(true))).status, 200)
  s2.failsafe = true
  await polls(2)
  const calls = s1.calls + s2.calls
  const r = await send(await sign(true))
  assert.is(r.status, 503)
  assert.equal(r.json.error, { code: -320602, message: 'failsafe is enabled, rejecting all CheckAccessList requests' })
  assert.is(s1.calls + s2.calls, calls, 'refused before any supervisor check')
  assert.is((await send(await sign(false))).status, 200)
  const health = (await (await fetch(`${ing.url}/healthz`)).json()) as { failsafe?: boolean }
  assert.is(health.failsafe, true)
  const metrics = await (await fetch(`${ing.url}/metrics`)).text()
  assert.match(metrics, /superguard_ingress_failsafe_enabled 1/)
})

test('the gate clears only when every supervisor says false', async () => {
  s1.failsafe = true
  s2.failsafe = false
  await polls(2)
  assert.is((await send(await sign(true))).status, 503, 'one supervisor still on')
  s1.failsafe = false
  await polls(2)
  assert.is((await send(await sign(true))).status, 200)
})

test.run()
