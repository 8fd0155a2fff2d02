import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { keccak256 } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { DEV_KEYS } from '../../src/devnet/messages.js'
import { startIngress } from '../../src/ingress/index.js'
import { accessFor, CROSS_L2_INBOX, encodeAccess, type Hex } from '../../src/interop/index.js'
import { captureLog, type LogLine } from '../_helpers/captureLog.js'
import { CONFLICT, startSupervisorDouble } from '../_helpers/supervisorDouble.js'
import { startUpstreamDouble } from '../_helpers/upstreamDouble.js'

// Each refused interop transaction is one info line an operator can act on (sender, hash, code,
// reason), at most 20 per 10 s: a flood of refusals is not a flood of log lines.

const account = privateKeyToAccount(DEV_KEYS[1])

function sign(nonce: number): Promise<Hex> {
  const id = {
    origin: '0x00000000000000000000000000000000000e1771' as Hex,
    blockNumber: 7n,
    logIndex: nonce,
    timestamp: 1_700_000_000n,
    chainId: 900n,
  }
  return account.signTransaction({
    type: 'eip1559',
    chainId: 901,
    nonce,
    to: CROSS_L2_INBOX,
    gas: 200_000n,
    maxFeePerGas: 2n,
    maxPriorityFeePerGas: 1n,
    accessList: [{ address: CROSS_L2_INBOX, storageKeys: encodeAccess(accessFor(id, keccak256('0x01'))) }],
  })
}

test('refusals at info with sender, hash, code and reason; at most 20 lines per interval', async () => {
  const upstream = await startUpstreamDouble({ chainId: 901n })
  const supervisor = await startSupervisorDouble(CONFLICT)
  const { logger, lines } = captureLog()
  const ing = await startIngress(
    { port: 0, upstream: upstream.url, supervisor: [supervisor.url], rateLimit: 0 },
    { logger },
  )
  try {
    const raws = await Promise.all(Array.from({ length: 30 }, (_, i) => sign(i)))
    for (const raw of raws) {
      const res = await fetch(ing.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [raw] }),
      })
      assert.is(res.status, 409)
    }
    // The sender is recovered after the answer: wait (bounded) for the 20th line.
    const refused = (): LogLine[] => lines.filter((l) => l.msg === 'interop transaction refused')
    for (const deadline = Date.now() + 5_000; refused().length < 20 && Date.now() < deadline; )
      await new Promise((r) => setTimeout(r, 20))
    const got = refused()
    assert.is(got.length, 20, 'the interval budget')
    const first = got.find((l) => l.tx === keccak256(raws[0]!))!
    assert.ok(first, 'the first refusal is logged')
    assert.is(first.level, 30)
    assert.is(first.sender, account.address.toLowerCase())
    assert.is(first.code, -320600)
    assert.match(String(first.reason), /conflicting data/)
  } finally {
    await ing.close()
    await supervisor.close()
    await upstream.close()
  }
})

test.run()
