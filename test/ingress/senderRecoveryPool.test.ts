import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { privateKeyToAccount } from 'viem/accounts'
import { DEV_KEYS } from '../../src/devnet/messages.js'
import { senderRecovery } from '../../src/engine/senderRecovery.js'
import { InvalidParamsError } from '../../src/errors/index.js'
import { SenderRecoveryPool } from '../../src/ingress/senderRecoveryPool.js'
import type { Hex } from '../../src/interop/index.js'
import { initKeccak } from '../../src/util/keccak.js'

const accounts = DEV_KEYS.map((k) => privateKeyToAccount(k))
const sign = (i: number) =>
  accounts[i % 2]!.signTransaction({
    type: 'eip1559',
    chainId: 901,
    nonce: i,
    to: '0x00000000000000000000000000000000000000aa',
    gas: 21_000n,
    maxFeePerGas: 2n,
    maxPriorityFeePerGas: 1n,
  })

test.before(() => initKeccak())

test('recovers a batch on the worker thread, each transaction its own sender', async () => {
  const pool = new SenderRecoveryPool(senderRecovery())
  const raws = await Promise.all(Array.from({ length: 10 }, (_, i) => sign(i)))
  const senders = await Promise.all(raws.map((r) => pool.recover(r)))
  assert.equal(
    senders,
    raws.map((_, i) => accounts[i % 2]!.address.toLowerCase()),
  )
  // s = 0 cannot be recovered: that transaction alone is refused
  const raw = raws[0]!
  const bad = `${raw.slice(0, -64)}${'0'.repeat(64)}` as Hex
  const [good, refused] = await Promise.allSettled([pool.recover(raws[1]!), pool.recover(bad)])
  assert.is(good.status === 'fulfilled' && good.value, accounts[1]!.address.toLowerCase())
  assert.ok(refused.status === 'rejected' && refused.reason instanceof InvalidParamsError)
  await pool.close()
  // closed: recovered inline, still correct
  assert.is(await pool.recover(raws[2]!), accounts[0]!.address.toLowerCase())
})

test.run()
