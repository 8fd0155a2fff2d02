import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { BuilderMempool } from '../../src/builder/mempool.js'
import { initKeccak } from '../../src/util/keccak.js'
import { newAccount, signTx } from '../enginesim/_helpers.js'

await initKeccak()

const rejected = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: Error) => `${e.name}: ${e.message}`,
  )

test('a second transaction of the same sender and nonce replaces only with a 10% fee bump (one tx per nonce in a block)', async () => {
  const pool = new BuilderMempool(10, 901)
  const a = newAccount()
  await pool.add(await signTx(a, 0, { tip: 50n, feeCap: 10_000_000_000n }))
  assert.is(
    await rejected(pool.add(await signTx(a, 0, { tip: 54n, feeCap: 10_000_000_000n }))),
    'TxRejectedError: replacement transaction underpriced',
  )
  const bumped = await pool.add(await signTx(a, 0, { tip: 60n, feeCap: 11_000_000_000n }))
  assert.equal(
    pool.entries().map((t) => t.hash),
    [bumped],
  )
})

test("a block learns its senders' next nonces: lower ones leave and are refused afterwards", async () => {
  const pool = new BuilderMempool(10, 901)
  const [a, b] = [newAccount(), newAccount()]
  const stale = await signTx(a, 1)
  const b0 = await pool.add(await signTx(b, 0))
  const version = pool.version
  pool.included([{ hash: `0x${'11'.repeat(32)}`, from: a.address, nonce: '0x1' }])
  assert.is(pool.version, version, 'nothing pooled left: no change')
  assert.is(await rejected(pool.add(stale)), 'TxRejectedError: nonce too low: next nonce 2, tx nonce 1')
  pool.included([{ hash: b0 }])
  assert.is(pool.size, 0)
  assert.ok(pool.version > version)
})

test("admission: geth's wording, -32000", async () => {
  const pool = new BuilderMempool(1, 901)
  const a = newAccount()
  assert.is(await rejected(pool.add('0x02')), 'TxRejectedError: undecodable transaction')
  assert.is(
    await rejected(pool.add(await signTx(a, 0, { chainId: 902 }))),
    'TxRejectedError: invalid chain id for signer: have 902 want 901',
  )
  assert.is(
    await rejected(pool.add(await signTx(a, 0, { gas: 20_000n }))),
    'TxRejectedError: intrinsic gas too low: gas 20000, minimum needed 21000',
  )
  const raw = await signTx(a, 0)
  await pool.add(raw)
  const again = await pool.add(raw).then(
    () => undefined,
    (e: { rpcCode: number; message: string }) => e,
  )
  assert.equal([again?.rpcCode, again?.message], [-32000, 'already known'])
  assert.is(await rejected(pool.add(await signTx(a, 1))), 'TxRejectedError: txpool is full')
})

// The builder's eth_sendRawTransaction refuses what does not decode with a stable reason, never the
// codec library's text (before: "undecodable transaction: Position `1` is out of bounds (`0 < position < 1`).").

test('undecodable transactions: a stable reason without library text; own reasons kept', async () => {
  const pool = new BuilderMempool(10, 901)
  const reason = (raw: unknown) =>
    pool.add(raw).then(
      () => 'accepted',
      (e: Error) => e.message,
    )
  for (const raw of ['0x1234', '0x02', '0x02f8', '0x02c0', `0x${'ff'.repeat(40)}`])
    assert.is(await reason(raw), 'undecodable transaction', raw)
  assert.is(await reason(12), 'transaction must be non-empty hex')
  assert.is(await reason('0xzz'), 'transaction must be non-empty hex')
})

test.run()
