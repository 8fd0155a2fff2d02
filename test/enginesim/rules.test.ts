import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { computeBlockHash, type Hex } from '../../src/engine/index.js'
import { attributes, depositTx, newAccount, signTx } from './_helpers.js'
import {
  Chain,
  decodeTx,
  executeTxs,
  extraDataFor,
  feeParamsOf,
  genesisBlock,
  intrinsicGas,
  Mempool,
  nextBaseFee,
  payloadId,
  simStateRoot,
  toSimBlockForTest,
  txGasUsed,
} from './_rules.js'

const ZERO: Hex = `0x${'00'.repeat(32)}`

test('intrinsic gas: 21000 + calldata + create + access list; gas used capped by the gas limit', async () => {
  const a = newAccount()
  const plain = decodeTx(await signTx(a, 0))
  assert.is(intrinsicGas(plain), 21000n)
  const withData = decodeTx(await signTx(a, 0, { data: '0x0001ff00' }))
  assert.is(intrinsicGas(withData), 21000n + 2n * 4n + 2n * 16n)
  const create = decodeTx(
    await a.signTransaction({
      type: 'eip1559',
      chainId: 901,
      nonce: 0,
      gas: 100_000n,
      maxFeePerGas: 1n,
      maxPriorityFeePerGas: 1n,
      data: `0x${'60'.repeat(33)}`,
    }),
  )
  assert.is(intrinsicGas(create), 21000n + 33n * 16n + 32000n + 2n * 2n)
  const listed = decodeTx(
    await a.signTransaction({
      type: 'eip2930',
      chainId: 901,
      nonce: 0,
      gas: 100_000n,
      gasPrice: 1n,
      to: a.address,
      accessList: [{ address: a.address, storageKeys: [ZERO, `0x${'00'.repeat(31)}01`] }],
    }),
  )
  assert.is(intrinsicGas(listed), 21000n + 2400n + 2n * 1900n)
  const deposit = decodeTx(depositTx(1))
  assert.is(deposit.type, 0x7e)
  assert.is(txGasUsed(deposit), 21000n + 4n * 16n)
  assert.is(txGasUsed({ ...plain, gas: 20_000n }), 20_000n)
})

test('EIP-1559 base fee with OP defaults (250/6) and Holocene/Jovian params from the parent extraData', () => {
  const limit = 30_000_000n
  const base = 1_000_000_000n
  const at = (gasUsed: bigint, extraData: Hex = '0x', fork: 'ecotone' | 'holocene' | 'jovian' = 'ecotone') =>
    nextBaseFee(fork, { gasLimit: limit, gasUsed, baseFee: base, extraData })
  assert.is(at(limit / 6n), base)
  assert.is(at(0n), base - base / 250n)
  assert.is(at(limit), base + (base * (limit - limit / 6n)) / (limit / 6n) / 250n)
  const holo = extraDataFor('holocene', '0x0000000a00000002', null)
  assert.is(holo, '0x000000000a00000002')
  assert.equal(feeParamsOf('holocene', holo), { denominator: 10n, elasticity: 2n, minBaseFee: 0n })
  assert.is(at(0n, holo, 'holocene'), base - base / 10n)
  assert.is(extraDataFor('holocene', '0x0000000000000000', null), '0x00000000fa00000006')
  assert.throws(() => extraDataFor('holocene', '0x0000000000000001', null), /zero denominator/)
  const jov = extraDataFor('jovian', '0x000000fa00000006', 5_000_000_000n)
  assert.is(jov, '0x01000000fa00000006000000012a05f200')
  assert.is(at(0n, jov, 'jovian'), 5_000_000_000n)
  assert.is(extraDataFor('ecotone', null, null), '0x')
})

test('the state commitment depends on parent, transactions, order, fee recipient, beacon root and time', async () => {
  const env = {
    parentStateRoot: ZERO,
    feeRecipient: `0x${'11'.repeat(20)}` as Hex,
    parentBeaconBlockRoot: ZERO,
    timestamp: 5n,
  }
  const [x, y] = [`0x${'aa'.repeat(32)}`, `0x${'bb'.repeat(32)}`] as Hex[]
  const root = simStateRoot(env, [x!, y!])
  for (const other of [
    simStateRoot(env, [y!, x!]),
    simStateRoot(env, [x!]),
    simStateRoot({ ...env, parentStateRoot: `0x${'01'.repeat(32)}` }, [x!, y!]),
    simStateRoot({ ...env, feeRecipient: `0x${'12'.repeat(20)}` }, [x!, y!]),
    simStateRoot({ ...env, parentBeaconBlockRoot: `0x${'01'.repeat(32)}` }, [x!, y!]),
    simStateRoot({ ...env, timestamp: 6n }, [x!, y!]),
  ])
    assert.is.not(other, root)
  assert.is(simStateRoot(env, [x!, y!]), root)
  const txs = [decodeTx(depositTx(1)), decodeTx(await signTx(newAccount(), 0, { tip: 3n, gas: 2_000_000n }))]
  const out = executeTxs({ ...env, baseFee: 7n, gasLimit: 30_000_000n }, txs)
  assert.is(out.gasUsed, 21064n + 21000n)
  assert.is(out.blockValue, 21000n * 3n)
  // A transaction needs its whole gas limit free, whatever it ends up using.
  assert.throws(
    () => executeTxs({ ...env, baseFee: 7n, gasLimit: 1_500_000n }, txs),
    /could not apply tx 1 .*gas limit reached/,
  )
  assert.throws(
    () => executeTxs({ ...env, baseFee: 10n ** 12n, gasLimit: 30_000_000n }, txs),
    /less than block base fee/,
  )
})

test('genesis is a pure function of the flags and its hash recomputes', () => {
  const spec = { chainId: 901, genesisTime: 1_700_000_000, gasLimit: 30_000_000n, fork: 'isthmus' as const }
  const g = genesisBlock(spec)
  assert.is(genesisBlock(spec).hash, g.hash)
  assert.is(computeBlockHash(g.payload, ZERO, []), g.hash)
  assert.is.not(genesisBlock({ ...spec, chainId: 902 }).hash, g.hash)
  assert.is.not(genesisBlock({ ...spec, genesisTime: 1 }).hash, g.hash)
  const v3 = genesisBlock({ ...spec, fork: 'ecotone' })
  assert.is(computeBlockHash(v3.payload, ZERO), v3.hash)
})

test('payload ids are 8 bytes, deterministic, version byte 0x03, and differ by attributes and parent', () => {
  const attrs = attributes(10n)
  const id = payloadId(ZERO, attrs)
  assert.match(id, /^0x03[0-9a-f]{14}$/)
  assert.is(payloadId(ZERO, attrs), id)
  assert.is.not(payloadId(ZERO, { ...attrs, noTxPool: true }), id)
  assert.is.not(payloadId(`0x${'01'.repeat(32)}`, attrs), id)
})

test('chain: setHead reports blocks leaving and joining the canonical chain', () => {
  const g = genesisBlock({ chainId: 901, genesisTime: 0, gasLimit: 30_000_000n, fork: 'isthmus' })
  const chain = new Chain(g)
  const child = (parent: typeof g, tag: number) => toSimBlockForTest(parent, tag)
  const a1 = child(g, 1)
  const a2 = child(a1, 2)
  const b1 = child(g, 3)
  for (const b of [a1, a2, b1]) chain.add(b)
  assert.equal(
    chain.setHead(a2).added.map((b) => b.hash),
    [a1.hash, a2.hash],
  )
  const re = chain.setHead(b1)
  assert.equal(
    re.removed.map((b) => b.hash),
    [a1.hash, a2.hash],
  )
  assert.equal(
    re.added.map((b) => b.hash),
    [b1.hash],
  )
  assert.is(chain.byNumber(1n)?.hash, b1.hash)
  assert.is(chain.byNumber(2n), undefined)
  assert.ok(chain.isCanonical(b1))
  assert.not.ok(chain.isCanonical(a1))
})

test('mempool: price-and-nonce order, replacement bump, nonce learning, pending vs queued', async () => {
  const pool = new Mempool(3)
  const [a, b] = [newAccount(), newAccount()]
  const a0 = decodeTx(await signTx(a, 0, { tip: 1n }))
  const a1 = decodeTx(await signTx(a, 1, { tip: 100n }))
  const b0 = decodeTx(await signTx(b, 0, { tip: 50n }))
  pool.add(a1, a.address)
  pool.add(a0, a.address)
  pool.add(b0, b.address)
  assert.equal(
    pool.select(1n, 30_000_000n, new Set()).map((t) => t.hash),
    [b0.hash, a0.hash, a1.hash],
  )
  // Skipped hashes are the block's forced transactions: a sender's next nonce may follow them.
  assert.equal(
    pool.select(1n, 30_000_000n, new Set([a0.hash])).map((t) => t.hash),
    [a1.hash, b0.hash],
  )
  const b5 = decodeTx(await signTx(b, 5))
  assert.throws(() => pool.add(b5, b.address), /txpool is full/)
  assert.throws(() => pool.add(b0, b.address), /already known/)
  const cheapBump = decodeTx(await signTx(b, 0, { tip: 54n, feeCap: 10_000_000_000n }))
  assert.throws(() => pool.add(cheapBump, b.address), /replacement transaction underpriced/)
  pool.add(decodeTx(await signTx(b, 0, { tip: 60n, feeCap: 11_000_000_000n })), b.address)
  assert.is(pool.size, 3)
  pool.included([a0.hash])
  assert.throws(() => pool.add(a0, a.address), /nonce too low/)
  const content = pool.content((t) => t.nonce)
  assert.equal(Object.keys(content.pending).sort(), [a.address, b.address].sort())
  assert.equal(content.pending[a.address], { 1: 1n })
})

test.run()
