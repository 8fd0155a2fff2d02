import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { computeBlockHash, type ExecutionPayloadV3, type GetPayloadV4Result, type Hex } from '../../src/engine/index.js'
import { attributes, BEACON_ROOT, fcu, headOf, newPayloadV4, type Sim, startSim } from './_helpers.js'

// Issue 11: SDM's PostExec transaction (type 0x7d, optimism#20213): after its activation (aligned
// with Lagoon) a block may end with one; never two, never before the last position, never before
// activation. engine-sim (over HTTP on 127.0.0.1) judges the rule in engine_newPayloadV4.

const POST_EXEC: Hex = '0x7dc0'
let lagoon: Sim
let karst: Sim

test.before(async () => {
  ;[lagoon, karst] = await Promise.all([startSim({ fork: 'lagoon' }), startSim({ fork: 'karst' })])
})
test.after(async () => {
  await Promise.all([lagoon?.close(), karst?.close()])
})

/** The sim's own next block (sealed with engine_getPayloadV5 from Karst on). */
async function sealed(s: Sim): Promise<ExecutionPayloadV3> {
  const parent = await headOf(s)
  const res = await fcu(s, parent.hash, attributes(parent.timestamp + 2n, { minBaseFee: '0x0' }))
  const env = await s.engine.call<GetPayloadV4Result>('engine_getPayloadV5', [res.payloadId])
  return env.executionPayload
}
const withTxs = (p: ExecutionPayloadV3, transactions: Hex[]): ExecutionPayloadV3 => {
  const q = { ...p, transactions }
  return { ...q, blockHash: computeBlockHash(q, BEACON_ROOT, []) }
}

test('after activation: one trailing PostExec transaction is VALID', async () => {
  const p = await sealed(lagoon)
  const res = await newPayloadV4(lagoon, withTxs(p, [...p.transactions, POST_EXEC]))
  assert.is(res.status, 'VALID', JSON.stringify(res))
})

test('two PostExec transactions, or one not last, are INVALID', async () => {
  const p = await sealed(lagoon)
  const two = await newPayloadV4(lagoon, withTxs(p, [...p.transactions, POST_EXEC, POST_EXEC]))
  assert.is(two.status, 'INVALID')
  assert.match(two.validationError ?? '', /more than one PostExec/)
  const early = await newPayloadV4(
    lagoon,
    withTxs(p, [p.transactions[0]!, POST_EXEC, ...p.transactions.slice(1), depositLike(p)]),
  )
  assert.is(early.status, 'INVALID')
  assert.match(early.validationError ?? '', /PostExec \(0x7d\) transaction is not the last/)
})

test('before activation (karst): a PostExec transaction is INVALID', async () => {
  const p = await sealed(karst)
  const res = await newPayloadV4(karst, withTxs(p, [...p.transactions, POST_EXEC]))
  assert.is(res.status, 'INVALID')
  assert.match(res.validationError ?? '', /before its activation/)
})

/** Any non-PostExec transaction after it, so the 0x7d one is not last: the forced deposit again. */
function depositLike(p: ExecutionPayloadV3): Hex {
  return p.transactions[0]!
}

test.run()
