import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  computeBlockHash,
  decodeTx,
  type ExecutionPayloadV3,
  executeTxs,
  type GetPayloadV4Result,
  type Hex,
} from '../../src/engine/index.js'
import {
  advance,
  BEACON_ROOT,
  build,
  depositTx,
  fcu,
  type Head,
  headOf,
  newAccount,
  newPayloadV4,
  type Sim,
  signTx,
  startSim,
} from './_helpers.js'

let s: Sim
let parent: Head
let env: GetPayloadV4Result
let good: ExecutionPayloadV3

test.before(async () => {
  s = await startSim()
  await advance(s)
  for (let i = 0; i < 3; i++)
    await s.eth.call('eth_sendRawTransaction', [await signTx(newAccount(), 0, { tip: BigInt(1000 + i) })])
  parent = await headOf(s)
  env = await build(s, parent, { transactions: [depositTx(1), depositTx(2)] })
  good = env.executionPayload
  assert.is(good.transactions.length, 5)
})
test.after(async () => {
  await s?.close()
})

/** The payload with `change` applied and a correct block hash, so only the deeper checks can catch it. */
const rehash = (change: Partial<ExecutionPayloadV3>, root: Hex = BEACON_ROOT): ExecutionPayloadV3 => {
  const p = { ...good, ...change }
  return { ...p, blockHash: computeBlockHash(p, root, []) }
}
/** Re-derives the execution fields too, so the block is self-consistent apart from `change`. */
const reexecute = (change: Partial<ExecutionPayloadV3>): ExecutionPayloadV3 => {
  const p = { ...good, ...change }
  const exec = executeTxs(
    {
      parentStateRoot: '0x',
      feeRecipient: p.feeRecipient,
      parentBeaconBlockRoot: BEACON_ROOT,
      timestamp: BigInt(p.timestamp),
      baseFee: BigInt(p.baseFeePerGas),
      gasLimit: BigInt(p.gasLimit),
    },
    p.transactions.map(decodeTx),
  )
  return rehash({ ...change, gasUsed: `0x${exec.gasUsed.toString(16)}`, receiptsRoot: exec.receiptsRoot })
}

const expectInvalid = async (p: ExecutionPayloadV3, reason: RegExp, latestValidHash: Hex | null = parent.hash) => {
  const res = await newPayloadV4(s, p)
  assert.is(res.status, 'INVALID', JSON.stringify(res))
  assert.match(res.validationError ?? '', reason)
  assert.is(res.latestValidHash, latestValidHash)
}

test('a wrong block hash is INVALID (blockhash mismatch), latestValidHash null', async () => {
  await expectInvalid({ ...good, blockHash: `0x${'12'.repeat(32)}` }, /blockhash mismatch/, null)
  // Dropping a transaction without re-hashing is caught by the recomputed transactions root.
  await expectInvalid({ ...good, transactions: good.transactions.slice(0, 4) }, /blockhash mismatch/, null)
})

test('an unknown parent is SYNCING', async () => {
  const res = await newPayloadV4(s, rehash({ parentHash: `0x${'34'.repeat(32)}` }))
  assert.equal(res, { status: 'SYNCING', latestValidHash: null, validationError: null })
})

test('wrong number, timestamp, base fee, extraData are INVALID with a reason', async () => {
  await expectInvalid(rehash({ blockNumber: `0x${(parent.number + 2n).toString(16)}` }), /invalid block number/)
  await expectInvalid(rehash({ timestamp: `0x${parent.timestamp.toString(16)}` }), /invalid timestamp/)
  await expectInvalid(rehash({ baseFeePerGas: '0x1' }), /invalid baseFee/)
  await expectInvalid(rehash({ extraData: '0x' }), /Holocene extraData/)
  await expectInvalid(rehash({ withdrawalsRoot: `0x${'56'.repeat(32)}` }), /invalid withdrawalsRoot/)
})

test('a missing or reordered forced transaction is INVALID', async () => {
  await expectInvalid(reexecute({ transactions: good.transactions.slice(1) }), /missing forced transaction 0/)
  const [d1, d2, ...rest] = good.transactions
  await expectInvalid(reexecute({ transactions: [d2!, d1!, ...rest] }), /missing forced transaction 0/)
  await expectInvalid(
    reexecute({ transactions: [d1!, rest[0]!, d2!, ...rest.slice(1)] }),
    /missing forced transaction 1/,
  )
})

test('tampering with the transactions or environment breaks the simulated state commitment', async () => {
  const [d1, d2, u1, u2, u3] = good.transactions
  await expectInvalid(rehash({ transactions: [d1!, d2!, u2!, u1!, u3!] }), /invalid merkle root|invalid receipt root/)
  await expectInvalid(rehash({ feeRecipient: `0x${'99'.repeat(20)}` }), /invalid merkle root/)
  await expectInvalid(rehash({ stateRoot: `0x${'77'.repeat(32)}` }), /invalid merkle root/)
  await expectInvalid(rehash({ receiptsRoot: `0x${'77'.repeat(32)}` }), /invalid receipt root/)
  await expectInvalid(rehash({ gasUsed: '0x1' }), /invalid gas used/)
  const res = await s.engine.call<{ status: string; validationError: string }>('engine_newPayloadV4', [
    rehash({}, `0x${'aa'.repeat(32)}`),
    [],
    `0x${'aa'.repeat(32)}`,
    [],
  ])
  assert.is(res.status, 'INVALID')
  assert.match(res.validationError, /invalid merkle root/)
})

test('bad transactions: deposit after a user tx, foreign chain id, undecodable bytes', async () => {
  const [d1, d2, u1, u2, u3] = good.transactions
  await expectInvalid(
    reexecute({ transactions: [d1!, d2!, u1!, depositTx(3), u2!, u3!] }),
    /deposit after a non-deposit/,
  )
  const foreign = await signTx(newAccount(), 0, { chainId: 10 })
  await expectInvalid(reexecute({ transactions: [d1!, d2!, foreign] }), /invalid chain id/)
  await expectInvalid(rehash({ transactions: [d1!, d2!, '0x02c0'] }), /invalid transaction 2/)
  const v3 = await s.engine.call<{ status: string; validationError: string }>('engine_newPayloadV4', [
    good,
    [`0x${'01'.repeat(32)}`],
    BEACON_ROOT,
    [],
  ])
  assert.match(v3.validationError, /blob hashes/)
})

test('the untampered block is VALID; a child of a rejected block is INVALID too', async () => {
  assert.is((await newPayloadV4(s, good)).status, 'VALID')
  const bad = rehash({ stateRoot: `0x${'77'.repeat(32)}` })
  await expectInvalid(bad, /invalid merkle root/)
  const child: ExecutionPayloadV3 = {
    ...good,
    parentHash: bad.blockHash,
    blockNumber: `0x${(parent.number + 2n).toString(16)}`,
  }
  const childHashed = { ...child, blockHash: computeBlockHash(child, BEACON_ROOT, []) }
  await expectInvalid(childHashed, /links to previously rejected block/, parent.hash)
  const fc = await fcu(s, bad.blockHash)
  assert.is(fc.payloadStatus.status, 'INVALID')
  assert.is(fc.payloadStatus.latestValidHash, parent.hash)
})

test('malformed payloads are -32602 invalid params', async () => {
  const { RemoteRpcError } = await import('../../src/rpc/client.js')
  for (const params of [
    [{ ...good, gasUsed: '0x01' }, [], BEACON_ROOT, []],
    [{ ...good, logsBloom: '0x00' }, [], BEACON_ROOT, []],
    [good, [], '0x12', []],
    [good, null, BEACON_ROOT, []],
  ]) {
    try {
      await s.engine.call('engine_newPayloadV4', params)
      assert.unreachable('accepted a malformed payload')
    } catch (err) {
      assert.instance(err, RemoteRpcError)
      assert.is((err as InstanceType<typeof RemoteRpcError>).rpcCode, -32602)
    }
  }
})

test.run()
