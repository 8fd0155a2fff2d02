import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import type { Hex } from '../../src/engine/index.js'
import { EMITTER_ADDRESS, EMITTER_TOPIC } from '../../src/evm/index.js'
import type { RpcClient } from '../../src/rpc/client.js'
import { advance, build, CHAIN_ID, fcu, headOf, newPayloadV4, type Sim, startSim } from '../enginesim/_helpers.js'

// eth_sendRawTransaction on an EVM engine-sim with geth's txpool admission (core/txpool/validation.go,
// legacypool), txpool_content's pending/queued split, getPayload taking only pending transactions,
// and reorgs (debug_setHead, a forkchoice to a new branch): logs and receipts of dropped blocks go,
// their transactions come back to the pool.

const alice = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const SINK: Hex = '0x000000000000000000000000000000000000dEaD'
const GWEI = 1_000_000_000n

let sim: Sim
test.before(async () => {
  sim = await startSim({ execution: 'evm' })
})
test.after(async () => {
  await sim.close()
})

function sign(
  who: PrivateKeyAccount,
  nonce: number,
  o: { value?: bigint; gas?: bigint; feeCap?: bigint; tip?: bigint; to?: Hex; data?: Hex } = {},
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
    ...(o.data ? { data: o.data } : {}),
  })
}

const send = (raw: Hex) => sim.eth.call<Hex>('eth_sendRawTransaction', [raw])
async function refused(c: RpcClient, raw: Hex): Promise<string> {
  try {
    await c.call('eth_sendRawTransaction', [raw])
  } catch (err) {
    const e = err as { rpcCode?: number; shortMessage?: string }
    assert.is(e.rpcCode, -32000)
    return e.shortMessage!
  }
  throw new Error('accepted')
}

type Content = {
  pending: Record<string, Record<string, { hash: Hex }>>
  queued: Record<string, Record<string, { hash: Hex }>>
}
const content = () => sim.eth.call<Content>('txpool_content')
const nonces = (g: Record<string, Record<string, unknown>>, who: PrivateKeyAccount) => Object.keys(g[who.address] ?? {})

test("nonce gaps wait queued and are promoted when the gap fills; getPayload takes pending only; geth's refusals", async () => {
  const bob = privateKeyToAccount(generatePrivateKey())
  // Fund bob with exactly 0.01 ETH.
  await send(await sign(alice, 0, { to: bob.address, value: 10n ** 16n }))
  const first = await advance(sim)
  assert.is(first.envelope.executionPayload.transactions.length, 2)

  assert.is(await refused(sim.eth, await sign(alice, 0, { value: 2n })), 'nonce too low: next nonce 1, tx nonce 0')
  assert.is(await refused(sim.eth, await sign(alice, 0, { to: bob.address, value: 10n ** 16n })), 'already known')
  assert.is(
    await refused(sim.eth, await sign(alice, 1, { gas: 20_000n })),
    'intrinsic gas too low: gas 20000, minimum needed 21000',
  )
  assert.is(await refused(sim.eth, await sign(alice, 1, { gas: 40_000_000n })), 'exceeds block gas limit')
  const poor = privateKeyToAccount(generatePrivateKey())
  const cost = 21_000n * 10n * GWEI + 1n
  assert.is(
    await refused(sim.eth, await sign(poor, 0)),
    `insufficient funds for gas * price + value: balance 0, tx cost ${cost}, overshot ${cost}`,
  )
  // bob: 0.01 ETH pays one transaction of 0.004 and a second, but not a third on top.
  await send(await sign(bob, 0, { value: 4n * 10n ** 15n }))
  await send(await sign(bob, 1, { value: 4n * 10n ** 15n }))
  const spent = 2n * (21_000n * 10n * GWEI + 4n * 10n ** 15n)
  const third = 21_000n * 10n * GWEI + 4n * 10n ** 15n
  assert.is(
    await refused(sim.eth, await sign(bob, 2, { value: 4n * 10n ** 15n })),
    `insufficient funds for gas * price + value: balance ${10n ** 16n}, queued cost ${spent}, tx cost ${third}, overshot ${spent + third - 10n ** 16n}`,
  )

  // alice: nonce 3 and 4 wait behind the gap at 1.
  const h3 = await send(await sign(alice, 3))
  await send(await sign(alice, 4))
  let c = await content()
  assert.equal(nonces(c.queued, alice), ['3', '4'])
  assert.equal(nonces(c.pending, alice), [])
  assert.equal(nonces(c.pending, bob), ['0', '1'])
  assert.is(await sim.eth.call('eth_getTransactionCount', [alice.address, 'pending']), '0x1')
  const second = await advance(sim)
  assert.is(second.envelope.executionPayload.transactions.length, 3, "the deposit and bob's two: not alice's queued")
  assert.is(await sim.eth.call('eth_getTransactionReceipt', [h3]), null)
  await send(await sign(alice, 1))
  await send(await sign(alice, 2))
  c = await content()
  assert.equal(nonces(c.pending, alice), ['1', '2', '3', '4'], 'the gap filled: all pending')
  assert.equal(c.queued, {})
  assert.is(await sim.eth.call('eth_getTransactionCount', [alice.address, 'pending']), '0x5')
  const third2 = await advance(sim)
  assert.is(third2.envelope.executionPayload.transactions.length, 5)
  assert.equal(await content(), { pending: {}, queued: {} })
  assert.is(await sim.eth.call('eth_getTransactionCount', [alice.address, 'latest']), '0x5')
})

test('replacement needs a 10% bump of both fees; a fee cap below the base fee waits in the pool until replaced', async () => {
  const head = await sim.eth.call<{ baseFeePerGas: Hex }>('eth_getBlockByNumber', ['latest', false])
  const baseFee = BigInt(head.baseFeePerGas)
  const low = await send(await sign(alice, 5, { feeCap: baseFee / 2n, tip: 1n }))
  assert.is(
    await refused(sim.eth, await sign(alice, 5, { feeCap: baseFee / 2n + 1n, tip: 1n })),
    'replacement transaction underpriced',
  )
  const { envelope } = await advance(sim)
  assert.is(envelope.executionPayload.transactions.length, 1, 'below the base fee: not included, still pooled')
  assert.ok((await content()).pending[alice.address]?.['5'])
  const high = await send(await sign(alice, 5, { feeCap: 10n * GWEI, tip: 2n }))
  assert.is(await sim.eth.call('eth_getTransactionByHash', [low]), null, 'the replaced one is gone')
  await advance(sim)
  const r = await sim.eth.call<{ status: Hex }>('eth_getTransactionReceipt', [high])
  assert.is(r.status, '0x1')
})

test('reorg: debug_setHead drops the blocks above, their logs and receipts; their transactions return; a new branch includes them', async () => {
  const base = await headOf(sim)
  const emit = (nonce: number) =>
    sign(alice, nonce, { to: EMITTER_ADDRESS, gas: 100_000n, value: 0n, data: `0x${'00'.repeat(31)}01${'ab'}` })
  const n0 = Number(BigInt(await sim.eth.call<Hex>('eth_getTransactionCount', [alice.address, 'latest'])))
  const tx1 = await send(await emit(n0))
  const b1 = await advance(sim)
  const tx2 = await send(await emit(n0 + 1))
  const b2 = await advance(sim)
  const logsFrom = async () =>
    sim.eth.call<{ transactionHash: Hex }[]>('eth_getLogs', [
      { fromBlock: `0x${(base.number + 1n).toString(16)}`, toBlock: 'latest', topics: [EMITTER_TOPIC] },
    ])
  assert.equal(
    (await logsFrom()).map((l) => l.transactionHash),
    [tx1, tx2],
  )

  assert.is(await sim.engine.call('debug_setHead', [`0x${b1.head.number.toString(16)}`]), null)
  assert.is(await sim.eth.call('eth_blockNumber'), `0x${b1.head.number.toString(16)}`)
  assert.equal(
    (await logsFrom()).map((l) => l.transactionHash),
    [tx1],
    "block 2's logs are gone",
  )
  assert.is(await sim.eth.call('eth_getTransactionReceipt', [tx2]), null, "block 2's receipt is gone")
  assert.is(await sim.eth.call('eth_getBlockByNumber', [`0x${b2.head.number.toString(16)}`, false]), null)
  assert.ok((await content()).pending[alice.address]?.[String(n0 + 1)], 'tx2 is back in the pool, pending')
  assert.is(await sim.eth.call('eth_getTransactionCount', [alice.address, 'latest']), `0x${(n0 + 1).toString(16)}`)
  assert.is((await sim.eth.call<Record<string, unknown>>('eth_getTransactionReceipt', [tx1])).status, '0x1')

  // A new branch on block 1 (a different timestamp, so a different block) includes tx2 again.
  const env = await build(sim, b1.head, { timestamp: `0x${(b1.head.timestamp + 5n).toString(16)}` })
  const p = env.executionPayload
  assert.is.not(p.blockHash, b2.head.hash)
  assert.is((await newPayloadV4(sim, p, env.parentBeaconBlockRoot)).status, 'VALID')
  await fcu(sim, p.blockHash)
  const r2 = await sim.eth.call<{ blockHash: Hex; status: Hex }>('eth_getTransactionReceipt', [tx2])
  assert.is(r2.blockHash, p.blockHash)
  assert.equal(
    (await logsFrom()).map((l) => l.transactionHash),
    [tx1, tx2],
  )

  // A forkchoice back to the old block 2 (still known): the branch switches, receipts follow.
  await fcu(sim, b2.head.hash)
  assert.is((await sim.eth.call<{ blockHash: Hex }>('eth_getTransactionReceipt', [tx2])).blockHash, b2.head.hash)
  const onOld = await sim.eth.call<{ blockHash: Hex }[]>('eth_getLogs', [{ blockHash: b2.head.hash }])
  assert.is(onOld.length, 1)
  assert.equal(await content(), { pending: {}, queued: {} }, 'nothing left to reinject: tx2 is on both branches')
})

test.run()
