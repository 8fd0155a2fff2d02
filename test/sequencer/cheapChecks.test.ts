import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { ExecutionPayloadV3 } from '../../src/engine/types.js'
import type { Submission } from '../../src/pbs/index.js'
import { cheapCheck, extraDataRule, parseSubmission } from '../../src/sequencer/cheapChecks.js'
import { attributes, h32, job, payloadFor, sign, submission } from './_fixtures.js'

const limits = { maxTxs: 100 }

test('a matching block passes (V3 and V4)', () => {
  for (const v of [3, 4] as const) {
    const j = job(v)
    assert.is(cheapCheck(submission(j), j, limits), undefined)
  }
})

const wrong: [string, Partial<ExecutionPayloadV3>][] = [
  ['wrong_parent_hash', { parentHash: h32(0x01) }],
  ['wrong_block_number', { blockNumber: '0x12' }],
  ['wrong_timestamp', { timestamp: '0x6870a1b3' }],
  ['wrong_prev_randao', { prevRandao: h32(0x02) }],
  ['wrong_fee_recipient', { feeRecipient: '0x4200000000000000000000000000000000000019' }],
  ['wrong_gas_limit', { gasLimit: '0x1c9c381' }],
  ['wrong_extra_data', { extraData: '0x00000000fa00000008' }],
  ['wrong_extra_data', { extraData: '0x' }],
  [
    'wrong_withdrawals',
    {
      withdrawals: [
        { index: '0x1', validatorIndex: '0x0', address: '0x4200000000000000000000000000000000000016', amount: '0x1' },
      ],
    },
  ],
  ['gas_used_exceeds_limit', { gasUsed: '0x1c9c381' }],
  ['missing_forced_transactions', { transactions: ['0x7ef8f8a0aa', '0x02aa'] }],
  ['missing_forced_transactions', { transactions: ['0x7ef8f8a0bb', '0x7ef8f8a0aa'] }],
  ['missing_forced_transactions', { transactions: ['0x7ef8f8a0aa'] }],
]

for (const [reason, over] of wrong) {
  test(`${reason}: ${JSON.stringify(over).slice(0, 60)}`, () => {
    const j = job()
    assert.is(cheapCheck(submission(j, over), j, limits), reason)
  })
}

test('bad_block_hash: any header change without a new hash, or a wrong transaction list', () => {
  const j = job()
  const s = submission(j)
  assert.is(
    cheapCheck({ ...s, executionPayload: { ...s.executionPayload, stateRoot: h32(0x77) } }, j, limits),
    'bad_block_hash',
  )
  assert.is(
    cheapCheck(
      {
        ...s,
        executionPayload: { ...s.executionPayload, transactions: [...s.executionPayload.transactions, '0x02cc'] },
      },
      j,
      limits,
    ),
    'bad_block_hash',
  )
  assert.is(
    cheapCheck({ ...s, executionPayload: { ...s.executionPayload, blockHash: h32(0x42) } }, j, limits),
    'bad_block_hash',
  )
})

test('parent beacon block root, version, execution requests, tx count', () => {
  const j = job()
  const s = submission(j)
  assert.is(cheapCheck({ ...s, parentBeaconBlockRoot: h32(0x01) }, j, limits), 'wrong_parent_beacon_block_root')
  assert.is(cheapCheck({ ...s, executionRequests: ['0x01aa'] }, j, limits), 'bad_execution_requests')
  const j4 = job(4)
  assert.is(cheapCheck(submission(j4), j, limits), 'wrong_payload_version')
  assert.is(cheapCheck(s, j4, limits), 'wrong_payload_version')
  assert.is(cheapCheck(s, j, { maxTxs: 3 }), 'too_many_transactions')
  assert.is(cheapCheck({ ...submission(j4), executionRequests: [] }, j4, limits), undefined)
})

test('hex case does not matter for pinned fields', () => {
  const j = job()
  const p = payloadFor(j, { parentHash: j.parent.hash.toUpperCase().replace('0X', '0x') as `0x${string}` })
  const s: Submission = {
    jobId: j.jobId,
    executionPayload: sign(j, p),
    parentBeaconBlockRoot: j.attributes.parentBeaconBlockRoot,
    blockValue: '0x1',
  }
  assert.is(cheapCheck(s, j, limits), undefined)
})

test('extraData rules: Holocene exact / default, Jovian exact / default, pre-Holocene any', () => {
  assert.equal(extraDataRule(attributes()), { kind: 'exact', value: '0x00000000fa00000006' })
  assert.equal(extraDataRule(attributes({ eip1559Params: '0x0000000000000000' })), { kind: 'holocene-default' })
  assert.equal(extraDataRule(attributes({ minBaseFee: '0x3e8' })), {
    kind: 'exact',
    value: '0x01000000fa0000000600000000000003e8',
  })
  assert.equal(extraDataRule(attributes({ eip1559Params: '0x0000000000000000', minBaseFee: '0x0' })), {
    kind: 'jovian-default',
    minBaseFee: '0000000000000000',
  })
  assert.equal(extraDataRule(attributes({ eip1559Params: null })), { kind: 'any' })
  const jDefault = job(3, attributes({ eip1559Params: '0x0000000000000000' }))
  assert.is(cheapCheck(submission(jDefault, { extraData: '0x00000000320000000a' }), jDefault, limits), undefined)
  assert.is(
    cheapCheck(submission(jDefault, { extraData: '0x000000000000000000' }), jDefault, limits),
    'wrong_extra_data',
  )
  const jJovian = job(4, attributes({ minBaseFee: '0x3e8' }))
  assert.is(
    cheapCheck(submission(jJovian, { extraData: '0x01000000fa0000000600000000000003e8' }), jJovian, limits),
    undefined,
  )
  assert.is(
    cheapCheck(submission(jJovian, { extraData: '0x01000000fa0000000600000000000003e9' }), jJovian, limits),
    'wrong_extra_data',
  )
})

test('parseSubmission: names the first malformed field', () => {
  const j = job()
  const good = submission(j)
  assert.ok(!('malformed' in parseSubmission(good)))
  const cases: [unknown, string][] = [
    [null, 'params[0] must be an object'],
    [[], 'params[0] must be an object'],
    [{ ...good, jobId: 7 }, 'jobId'],
    [{ ...good, executionPayload: 'x' }, 'executionPayload'],
    [{ ...good, executionPayload: { ...good.executionPayload, stateRoot: '0x12' } }, 'executionPayload.stateRoot'],
    [{ ...good, executionPayload: { ...good.executionPayload, gasUsed: '0x012' } }, 'executionPayload.gasUsed'],
    [
      { ...good, executionPayload: { ...good.executionPayload, transactions: ['0x'] } },
      'executionPayload.transactions',
    ],
    [
      { ...good, executionPayload: { ...good.executionPayload, transactions: 'nope' } },
      'executionPayload.transactions',
    ],
    [{ ...good, executionPayload: { ...good.executionPayload, withdrawals: [{}] } }, 'executionPayload.withdrawals'],
    [
      { ...good, executionPayload: { ...good.executionPayload, extraData: `0x${'00'.repeat(33)}` } },
      'executionPayload.extraData',
    ],
    [{ ...good, parentBeaconBlockRoot: undefined }, 'parentBeaconBlockRoot'],
    [{ ...good, blockValue: 100 }, 'blockValue'],
    [{ ...good, executionRequests: 'x' }, 'executionRequests'],
  ]
  for (const [input, field] of cases) assert.equal(parseSubmission(input), { malformed: field }, field)
})

test('parseSubmission drops unknown fields', () => {
  const j = job()
  const s = parseSubmission({
    ...submission(j),
    extra: 1,
    executionPayload: { ...submission(j).executionPayload, junk: 'x' },
  }) as Submission
  assert.not.ok('extra' in s)
  assert.not.ok('junk' in s.executionPayload)
})

test.run()
