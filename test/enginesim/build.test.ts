import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  computeBlockHash,
  type GetPayloadV3Result,
  type Hex,
  transactionsRoot,
  txHash,
} from '../../src/engine/index.js'
import { RemoteRpcError } from '../../src/rpc/client.js'
import {
  advance,
  attributes,
  build,
  depositTx,
  fcu,
  headOf,
  newAccount,
  newPayloadV4,
  type Sim,
  signTx,
  startSim,
} from './_helpers.js'

let s: Sim
test.before(async () => {
  s = await startSim()
})
test.after(async () => {
  await s?.close()
})

const rpcCode = async (p: Promise<unknown>): Promise<number> => {
  try {
    await p
  } catch (err) {
    if (err instanceof RemoteRpcError) return err.rpcCode
    throw err
  }
  throw new Error('expected an error')
}

test('capabilities and genesis', async () => {
  const caps = await s.engine.call<string[]>('engine_exchangeCapabilities', [['engine_newPayloadV4']])
  for (const m of [
    'engine_forkchoiceUpdatedV3',
    'engine_getPayloadV3',
    'engine_getPayloadV4',
    'engine_newPayloadV3',
    'engine_newPayloadV4',
  ])
    assert.ok(caps.includes(m), m)
  assert.is(await s.eth.call('eth_chainId'), '0x385')
  assert.is(await s.eth.call('eth_blockNumber'), '0x0')
  const g = await s.eth.call<{ hash: Hex; requestsHash: Hex; withdrawalsRoot: Hex }>('eth_getBlockByNumber', [
    '0x0',
    false,
  ])
  assert.is(g.hash, s.genesisHash)
  assert.is(g.requestsHash, '0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
})

test('a sealed block has the forced transactions first, then pooled ones by tip, and its hash recomputes', async () => {
  const [a, b] = [newAccount(), newAccount()]
  const low = await signTx(a, 0, { tip: 1_000n })
  const lowNext = await signTx(a, 1, { tip: 9_000_000n })
  const high = await signTx(b, 0, { tip: 5_000_000n })
  for (const raw of [low, lowNext, high]) assert.is(await s.eth.call('eth_sendRawTransaction', [raw]), txHash(raw))
  const parent = await headOf(s)
  const forced = [depositTx(1), depositTx(2)]
  const env = await build(s, parent, { transactions: forced })
  const p = env.executionPayload
  // b's tip is higher than a's first; a's second tx only becomes available after a's first (nonce order).
  assert.equal(p.transactions, [...forced, high, low, lowNext])
  assert.is(p.parentHash, parent.hash)
  assert.is(BigInt(p.blockNumber), parent.number + 1n)
  assert.is(p.withdrawalsRoot, '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421')
  assert.equal(env.executionRequests, [])
  assert.equal(env.blobsBundle, { commitments: [], proofs: [], blobs: [] })
  assert.is(computeBlockHash(p, env.parentBeaconBlockRoot, env.executionRequests), p.blockHash)
  assert.is(p.extraData, '0x00000000fa00000006')
  assert.ok(BigInt(env.blockValue) > 0n)
  // A second getPayload for the same id returns the same block.
  const again = await fcu(s, parent.hash, attributes(parent.timestamp + 2n, { transactions: forced }))
  const env2 = await s.engine.call<typeof env>('engine_getPayloadV4', [again.payloadId])
  assert.is(env2.executionPayload.blockHash, p.blockHash)
})

test('newPayload of its own block is VALID; FCU makes it canonical and empties the pool', async () => {
  const parent = await headOf(s)
  const env = await build(s, parent, { transactions: [depositTx(3)] })
  const p = env.executionPayload
  assert.equal(await newPayloadV4(s, p, env.parentBeaconBlockRoot), {
    status: 'VALID',
    latestValidHash: p.blockHash,
    validationError: null,
  })
  const res = await fcu(s, p.blockHash, null, parent.hash)
  assert.equal(res, {
    payloadStatus: { status: 'VALID', latestValidHash: p.blockHash, validationError: null },
    payloadId: null,
  })
  const latest = await s.eth.call<{ hash: Hex; transactionsRoot: Hex; transactions: Hex[] }>('eth_getBlockByNumber', [
    'latest',
    false,
  ])
  assert.is(latest.hash, p.blockHash)
  assert.is(latest.transactionsRoot, transactionsRoot(p.transactions))
  assert.equal(latest.transactions, p.transactions.map(txHash))
  assert.is((await s.eth.call<{ hash: Hex }>('eth_getBlockByNumber', ['safe', false])).hash, parent.hash)
  assert.is((await s.eth.call<{ hash: Hex }>('eth_getBlockByHash', [p.blockHash, false])).hash, p.blockHash)
  assert.equal(await s.eth.call('txpool_content'), { pending: {}, queued: {} })
  const user = p.transactions[p.transactions.length - 1]!
  const tx = await s.eth.call<{ blockHash: Hex; from: Hex }>('eth_getTransactionByHash', [txHash(user)])
  assert.is(tx.blockHash, p.blockHash)
  const receipt = await s.eth.call<{ status: Hex; blockHash: Hex }>('eth_getTransactionReceipt', [txHash(user)])
  assert.is(receipt.status, '0x1')
  const full = await s.eth.call<{ transactions: { hash: Hex; type: Hex }[] }>('eth_getBlockByNumber', ['latest', true])
  assert.is(full.transactions[0]!.type, '0x7e')
})

test("txpool_content has geth's shape: pending by sender and nonce, gapped nonces queued", async () => {
  const a = newAccount()
  await s.eth.call('eth_sendRawTransaction', [await signTx(a, 0)])
  await s.eth.call('eth_sendRawTransaction', [await signTx(a, 2)])
  const content = await s.eth.call<{
    pending: Record<string, Record<string, { nonce: Hex; from: Hex; blockHash: null }>>
    queued: Record<string, Record<string, unknown>>
  }>('txpool_content')
  assert.equal(Object.keys(content.pending[a.address]!), ['0'])
  assert.equal(Object.keys(content.queued[a.address]!), ['2'])
  assert.is(content.pending[a.address]!['0']!.from, a.address)
  assert.is(content.pending[a.address]!['0']!.blockHash, null)
  await advance(s)
  const after = await s.eth.call<{ pending: Record<string, unknown>; queued: Record<string, Record<string, unknown>> }>(
    'txpool_content',
  )
  assert.equal(after.pending, {})
  assert.equal(Object.keys(after.queued[a.address]!), ['2'])
})

test('eth_sendRawTransaction refuses duplicates, other chains, replays without chain id and underpriced replacements', async () => {
  const a = newAccount()
  const raw = await signTx(a, 0, { tip: 1_000_000n })
  await s.eth.call('eth_sendRawTransaction', [raw])
  const msg = async (r: Hex | string) => {
    try {
      await s.eth.call('eth_sendRawTransaction', [r])
    } catch (err) {
      return (err as Error).message
    }
    return 'accepted'
  }
  assert.is(await msg(raw), 'already known')
  assert.match(await msg(await signTx(a, 0, { tip: 1_050_000n })), 'replacement transaction underpriced')
  assert.is(await msg(await signTx(a, 0, { tip: 2_000_000n, feeCap: 20_000_000_000n })), 'accepted')
  assert.match(await msg(await signTx(a, 1, { chainId: 10 })), 'invalid chain id')
  assert.match(
    await msg(await a.signTransaction({ type: 'legacy', nonce: 1, gas: 21000n, gasPrice: 1n, to: a.address })),
    'replay-protected',
  )
  assert.match(await msg('0x02ff'), 'undecodable')
  assert.match(await msg(depositTx(99)), 'transaction type not supported')
  assert.match(await msg(await signTx(a, 1, { gas: 20_000n })), 'intrinsic gas too low')
})

test('noTxPool builds only the forced transactions; the gas limit caps pooled ones', async () => {
  const big = await signTx(newAccount(), 0, { gas: 2_000_000n, tip: 10n ** 9n })
  await s.eth.call('eth_sendRawTransaction', [big])
  const parent = await headOf(s)
  const only = await build(s, parent, { noTxPool: true, transactions: [depositTx(7)] })
  assert.equal(only.executionPayload.transactions, [depositTx(7)])
  const roomy = await build(s, parent, { transactions: [depositTx(8)] })
  assert.ok(roomy.executionPayload.transactions.includes(big))
  // 1.5M gas: the 1M-gas deposit fits, a 2M-gas transaction does not (a tx needs its gas limit free).
  const tight = await build(s, parent, { transactions: [depositTx(8)], gasLimit: '0x16e360' })
  assert.is(tight.executionPayload.transactions[0], depositTx(8))
  assert.not.ok(tight.executionPayload.transactions.includes(big))
})

test('Engine API errors: unknown payload, wrong version, bad attributes, bad forkchoice', async () => {
  const head = await headOf(s)
  assert.is(await rpcCode(s.engine.call('engine_getPayloadV4', ['0x0300000000000000'])), -38001)
  const { payloadId } = await fcu(s, head.hash, attributes(head.timestamp + 2n))
  assert.is(await rpcCode(s.engine.call('engine_getPayloadV3', [payloadId])), -38005)
  assert.is(await rpcCode(fcu(s, head.hash, attributes(head.timestamp))), -38003)
  assert.is(await rpcCode(fcu(s, head.hash, attributes(head.timestamp + 2n, { gasLimit: null }))), -38003)
  assert.is(await rpcCode(fcu(s, head.hash, attributes(head.timestamp + 2n, { eip1559Params: null }))), -38003)
  assert.is(await rpcCode(fcu(s, head.hash, attributes(head.timestamp + 2n, { transactions: ['0x7eff'] }))), -38003)
  assert.is(await rpcCode(fcu(s, head.hash, null, `0x${'ab'.repeat(32)}`)), -38002)
  assert.is(await rpcCode(s.engine.call('engine_forkchoiceUpdatedV3', [{ headBlockHash: '0x12' }, null])), -32602)
  const unknown = await fcu(s, `0x${'cd'.repeat(32)}`)
  assert.equal(unknown, {
    payloadStatus: { status: 'SYNCING', latestValidHash: null, validationError: null },
    payloadId: null,
  })
  assert.is(payloadId!.length, 18)
  assert.ok(payloadId!.startsWith('0x03'))
})

test('an Ecotone engine-sim speaks V3: no withdrawalsRoot, no requestsHash, empty extraData', async () => {
  const v3 = await startSim({ fork: 'ecotone' })
  try {
    const head = await headOf(v3)
    const res = await fcu(v3, head.hash, attributes(head.timestamp + 2n, { eip1559Params: null }))
    assert.is(await rpcCode(v3.engine.call('engine_getPayloadV4', [res.payloadId])), -38005)
    const env = await v3.engine.call<GetPayloadV3Result>('engine_getPayloadV3', [res.payloadId])
    const p = env.executionPayload
    assert.is(p.withdrawalsRoot, undefined)
    assert.is('executionRequests' in env, false)
    assert.is(p.extraData, '0x')
    assert.is(computeBlockHash(p, env.parentBeaconBlockRoot), p.blockHash)
    assert.equal(await v3.engine.call('engine_newPayloadV3', [p, [], env.parentBeaconBlockRoot]), {
      status: 'VALID',
      latestValidHash: p.blockHash,
      validationError: null,
    })
    assert.is(await rpcCode(v3.engine.call('engine_newPayloadV4', [p, [], env.parentBeaconBlockRoot, []])), -38005)
  } finally {
    await v3.close()
  }
})

test('Jovian encodes minBaseFee in extraData and clamps the next base fee', async () => {
  const j = await startSim({ fork: 'jovian' })
  try {
    const { head, envelope } = await advance(j, { minBaseFee: '0x77359400' })
    assert.is(envelope.executionPayload.extraData, '0x01000000fa000000060000000077359400')
    const next = await build(j, head, { minBaseFee: '0x77359400' })
    assert.is(BigInt(next.executionPayload.baseFeePerGas), 2_000_000_000n)
    assert.is(await rpcCode(fcu(j, head.hash, attributes(head.timestamp + 2n))), -38003)
  } finally {
    await j.close()
  }
})

test.run()
