import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import type { Hex } from '../../src/engine/index.js'
import type { TxPoolLimits } from '../../src/enginesim/index.js'
import { advance, CHAIN_ID, type Sim, startSim } from './_helpers.js'

// geth's legacypool limits on an EVM engine-sim, with geth's words (core/txpool/errors.go,
// legacypool.go): txpool.pricelimit, AccountQueue / GlobalQueue / GlobalSlots caps (what geth's
// reorg loop drops), the full pool (`transaction underpriced`, the cheapest discarded, `future
// transaction tries to replace pending`), and demoteUnexecutables after a new head. Small limits
// so a handful of transactions fills them; each test its own engine-sim.

const GWEI = 1_000_000_000n
const SINK: Hex = '0x000000000000000000000000000000000000dEaD'
// The dev mnemonic's first accounts: funded in engine-sim's default genesis.
const DEV = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
].map((k) => privateKeyToAccount(k as Hex))
const dev = (i: number): PrivateKeyAccount => DEV[i]!
const [A, B, C, D, E, F] = [dev(0), dev(1), dev(2), dev(3), dev(4), dev(5)]

function sign(
  who: PrivateKeyAccount,
  nonce: number,
  o: { tip?: bigint; feeCap?: bigint; gas?: bigint; value?: bigint; to?: Hex } = {},
): Promise<Hex> {
  return who.signTransaction({
    type: 'eip1559',
    chainId: CHAIN_ID,
    nonce,
    to: o.to ?? SINK,
    value: o.value ?? 1n,
    gas: o.gas ?? 21_000n,
    maxFeePerGas: o.feeCap ?? 10n * GWEI,
    maxPriorityFeePerGas: o.tip ?? 1_000_000n,
  })
}

async function withSim(txpool: Partial<TxPoolLimits>, fn: (s: Sim) => Promise<void>): Promise<void> {
  const s = await startSim({ execution: 'evm', txpool })
  try {
    await fn(s)
  } finally {
    await s.close()
  }
}

const send = (s: Sim, raw: Hex) => s.eth.call<Hex>('eth_sendRawTransaction', [raw])
async function refused(s: Sim, raw: Hex): Promise<string> {
  try {
    await send(s, raw)
  } catch (err) {
    const e = err as { rpcCode?: number; shortMessage?: string }
    assert.is(e.rpcCode, -32000)
    return e.shortMessage!
  }
  throw new Error('accepted')
}
type Group = Record<string, Record<string, unknown>>
async function content(s: Sim): Promise<{ pending: Record<string, string[]>; queued: Record<string, string[]> }> {
  const c = await s.eth.call<{ pending: Group; queued: Group }>('txpool_content')
  const names = new Map(DEV.map((a, i) => [a.address, 'ABCDEF'[i]!]))
  const flat = (g: Group) =>
    Object.fromEntries(
      Object.entries(g).map(([addr, byNonce]) => [names.get(addr as Hex) ?? addr, Object.keys(byNonce)]),
    )
  return { pending: flat(c.pending), queued: flat(c.queued) }
}

test("txpool.pricelimit: a tip below it is geth's `transaction gas price below minimum` (default 1 wei)", async () => {
  await withSim({}, async (s) => {
    assert.is(
      await refused(s, await sign(A, 0, { tip: 0n })),
      'transaction gas price below minimum: gas tip cap 0, minimum needed 1',
    )
    await send(s, await sign(A, 0, { tip: 1n }))
  })
  await withSim({ priceLimit: 2n * GWEI }, async (s) => {
    assert.is(
      await refused(s, await sign(A, 0, { tip: GWEI })),
      'transaction gas price below minimum: gas tip cap 1000000000, minimum needed 2000000000',
    )
    await send(s, await sign(A, 0, { tip: 2n * GWEI }))
    assert.equal((await content(s)).pending, { A: ['0'] })
  })
})

test('AccountQueue: queued nonces above it are dropped (hash answered, then gone); GlobalQueue: the longest-queued account loses its highest first', async () => {
  await withSim({ accountQueue: 3, globalQueue: 4 }, async (s) => {
    const hashes: Hex[] = []
    for (let n = 1; n <= 5; n++) hashes.push(await send(s, await sign(A, n)))
    assert.equal(await content(s), { pending: {}, queued: { A: ['1', '2', '3'] } })
    assert.is(await s.eth.call('eth_getTransactionByHash', [hashes[4]]), null, 'nonce 5: answered, then dropped')
    // B queues three more: 6 queued > 4, A queued first and loses its highest two.
    for (let n = 1; n <= 3; n++) await send(s, await sign(B, n))
    assert.equal(await content(s), { pending: {}, queued: { A: ['1'], B: ['1', '2', '3'] } })
    // The gap fills: A's 0 and 1 are pending, nothing queued is left for A.
    await send(s, await sign(A, 0))
    assert.equal(await content(s), { pending: { A: ['0', '1'] }, queued: { B: ['1', '2', '3'] } })
  })
})

test('GlobalSlots: above it, accounts over AccountSlots lose their highest pending nonces, the largest first, down to AccountSlots', async () => {
  await withSim({ globalSlots: 5, accountSlots: 2 }, async (s) => {
    for (let n = 0; n < 4; n++) await send(s, await sign(A, n))
    await send(s, await sign(C, 0))
    assert.equal((await content(s)).pending, { A: ['0', '1', '2', '3'], C: ['0'] }, '5 pending: at the limit')
    for (let n = 0; n < 3; n++) await send(s, await sign(B, n))
    // 8 pending > 5: A (4) and B (3) are cut to 2 each; C (1, under AccountSlots) keeps its one.
    assert.equal((await content(s)).pending, { A: ['0', '1'], C: ['0'], B: ['0', '1'] })
    const { envelope } = await advance(s)
    assert.is(envelope.executionPayload.transactions.length, 1 + 5)
  })
})

test('a full pool (GlobalSlots + GlobalQueue): no better than the cheapest is `transaction underpriced`; a gapped one may not push out a pending one; a better one discards the cheapest, GlobalSlots/4 times per head', async () => {
  await withSim({ globalSlots: 4, globalQueue: 1, accountSlots: 2, accountQueue: 1 }, async (s) => {
    await send(s, await sign(A, 0, { tip: 1n * GWEI }))
    await send(s, await sign(B, 0, { tip: 2n * GWEI }))
    await send(s, await sign(C, 0, { tip: 3n * GWEI }))
    await send(s, await sign(D, 0, { tip: 3n * GWEI }))
    await send(s, await sign(D, 1, { tip: 3n * GWEI }))
    assert.is(await refused(s, await sign(E, 0, { tip: 1n * GWEI })), 'transaction underpriced', 'no better than A0')
    assert.is(
      await refused(s, await sign(F, 1, { tip: 9n * GWEI })),
      'future transaction tries to replace pending',
      "F's nonce 1 is gapped; the cheapest (A0) is pending",
    )
    await send(s, await sign(E, 0, { tip: 5n * GWEI }))
    assert.equal(
      (await content(s)).pending,
      { B: ['0'], C: ['0'], D: ['0', '1'], E: ['0'] },
      'A0, the cheapest, discarded',
    )
    await send(s, await sign(F, 0, { tip: 6n * GWEI }))
    assert.equal((await content(s)).pending, { C: ['0'], D: ['0', '1'], E: ['0'], F: ['0'] }, 'then B0')
    // Two discards since the last head: more than GlobalSlots/4 (1), geth throttles until its next reorg run.
    assert.is(await refused(s, await sign(A, 0, { tip: 7n * GWEI })), 'txpool is full')
    const { envelope } = await advance(s)
    assert.is(envelope.executionPayload.transactions.length, 1 + 5)
    await send(s, await sign(A, 0, { tip: 7n * GWEI }))
  })
})

test('a new head drops what it made unexecutable: gas above its gas limit, cost above the balance after a reorg; higher nonces wait queued', async () => {
  await withSim({}, async (s) => {
    // A's nonce 0 needs 5M gas; the next block's gas limit is 4M (the attributes'): it is dropped,
    // nonce 1 waits queued behind the gap.
    await send(s, await sign(A, 0, { gas: 5_000_000n }))
    await send(s, await sign(A, 1))
    await advance(s, { gasLimit: `0x${(4_000_000).toString(16)}` })
    assert.equal(await content(s), { pending: {}, queued: { A: ['1'] } })

    // bob is funded in block 2 and spends in the pool; debug_setHead(1) undoes the funding: his
    // transaction now costs more than his balance (0) and leaves; the funding returns to the pool.
    const bob = privateKeyToAccount(generatePrivateKey())
    await send(s, await sign(B, 0, { to: bob.address, value: 10n ** 16n }))
    await advance(s, { gasLimit: `0x${(4_000_000).toString(16)}` })
    const spend = await send(s, await sign(bob, 0, { value: 10n ** 15n }))
    assert.equal((await content(s)).pending[bob.address], ['0'])
    await s.engine.call('debug_setHead', ['0x1'])
    const after = await content(s)
    assert.is(after.pending[bob.address], undefined, "bob's transaction is gone")
    assert.equal(after.pending.B, ['0'], 'the funding is back')
    assert.is(await s.eth.call('eth_getTransactionByHash', [spend]), null)
  })
})

test.run()
