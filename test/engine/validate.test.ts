import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  type ExecutionPayloadV3,
  parseExecutionPayload,
  parseForkchoiceState,
  parsePayloadAttributes,
} from '../../src/engine/index.js'

const h32 = `0x${'ab'.repeat(32)}` as const
const payload: ExecutionPayloadV3 = {
  parentHash: h32,
  feeRecipient: `0x${'42'.repeat(20)}`,
  stateRoot: h32,
  receiptsRoot: h32,
  logsBloom: `0x${'00'.repeat(256)}`,
  prevRandao: h32,
  blockNumber: '0x1',
  gasLimit: '0x1c9c380',
  gasUsed: '0x0',
  timestamp: '0x6553f100',
  extraData: '0x',
  baseFeePerGas: '0x3b9aca00',
  blockHash: h32,
  transactions: ['0x02c0'],
  withdrawals: [],
  blobGasUsed: '0x0',
  excessBlobGas: '0x0',
}

test('parseExecutionPayload keeps exactly the wire fields and withdrawalsRoot when present', () => {
  assert.equal(parseExecutionPayload({ ...payload, stray: 1 }), payload)
  assert.equal(parseExecutionPayload({ ...payload, withdrawalsRoot: h32 }), { ...payload, withdrawalsRoot: h32 })
  assert.equal(parseExecutionPayload({ ...payload, withdrawalsRoot: null }), payload)
})

test('parseExecutionPayload names the first bad field', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ gasUsed: '0x01' }, /gasUsed: expected a quantity/],
    [{ gasUsed: 5 }, /gasUsed/],
    [{ parentHash: '0x12' }, /parentHash: expected 32 bytes/],
    [{ logsBloom: '0x00' }, /logsBloom/],
    [{ transactions: ['0x0'] }, /transactions\[0\]/],
    [{ transactions: null }, /transactions: expected an array/],
    [{ withdrawals: [{ index: '0x0' }] }, /withdrawals\[0\]\.validatorIndex/],
    [{ extraData: `0x${'00'.repeat(33)}` }, /longer than 32 bytes/],
    [{ blockHash: undefined }, /blockHash/],
  ]
  for (const [change, msg] of bad) assert.throws(() => parseExecutionPayload({ ...payload, ...change }), msg)
  assert.throws(() => parseExecutionPayload(null), /expected an object/)
  assert.throws(() => parseExecutionPayload([]), /expected an object/)
})

test('parsePayloadAttributes keeps optional OP fields as sent (null vs absent)', () => {
  const base = {
    timestamp: '0x10',
    prevRandao: h32,
    suggestedFeeRecipient: `0x${'42'.repeat(20)}`,
    withdrawals: [],
    parentBeaconBlockRoot: h32,
  }
  assert.equal(parsePayloadAttributes(base), base)
  const full = {
    ...base,
    transactions: ['0x7e00'],
    noTxPool: true,
    gasLimit: '0x1c9c380',
    eip1559Params: '0x000000fa00000006',
    minBaseFee: '0x0',
  }
  assert.equal(parsePayloadAttributes(full), full)
  assert.equal(parsePayloadAttributes({ ...base, gasLimit: null, eip1559Params: null }), {
    ...base,
    gasLimit: null,
    eip1559Params: null,
  })
  assert.throws(() => parsePayloadAttributes({ ...base, eip1559Params: '0x00' }), /eip1559Params/)
  assert.throws(() => parsePayloadAttributes({ ...base, noTxPool: 'yes' }), /noTxPool/)
  assert.throws(() => parsePayloadAttributes({ ...base, withdrawals: undefined }), /withdrawals/)
})

test('parseForkchoiceState requires three 32-byte hashes', () => {
  const fc = { headBlockHash: h32, safeBlockHash: h32, finalizedBlockHash: h32 }
  assert.equal(parseForkchoiceState(fc), fc)
  assert.throws(() => parseForkchoiceState({ ...fc, safeBlockHash: '0x' }), /safeBlockHash/)
})

test.run()
