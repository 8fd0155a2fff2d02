import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  decodeExecutingMessage,
  EXECUTING_MESSAGE_TOPIC,
  ExecutingMessageDecodeError,
  encodeIdentifier,
  type Identifier,
  isExecutingMessageLog,
  MAX_UINT32,
  MAX_UINT64,
  MAX_UINT256,
} from '../../src/interop/index.js'
import { EXPECTED, ID_A, ID_B, ID_C } from './_vectors.js'

const log = (id: Identifier, msgHash: string = EXPECTED.aPayloadHash) => ({
  topics: [EXECUTING_MESSAGE_TOPIC, msgHash],
  data: encodeIdentifier(id),
})

/** Replaces the 64-hex-char word `i` of the data with `hex` (left-padded). */
function withWord(data: string, i: number, word: string): string {
  return `0x${data.slice(2, 2 + i * 64)}${word.padStart(64, '0')}${data.slice(2 + (i + 1) * 64)}`
}

function decodeError(l: { topics: readonly string[]; data: string }): string {
  try {
    decodeExecutingMessage(l)
  } catch (err) {
    assert.instance(err, ExecutingMessageDecodeError)
    return (err as Error).message
  }
  throw new assert.Assertion({
    message: 'expected decodeExecutingMessage to throw',
    operator: 'throws',
    generated: true,
    expects: 'ExecutingMessageDecodeError',
    actual: 'no error',
  })
}

test('encodeIdentifier lays out five words: origin, blockNumber, logIndex, timestamp, chainId', () => {
  const d = encodeIdentifier(ID_B)
  assert.is(d.length, 2 + 5 * 64)
  assert.is(d.slice(2, 66), `${'0'.repeat(24)}7a23c3fc3da9a5364b97e0e4c47e7777bae5c8cd`)
  assert.is(BigInt(`0x${d.slice(66, 130)}`), 3519561n)
  assert.is(BigInt(`0x${d.slice(130, 194)}`), 1n)
  assert.is(BigInt(`0x${d.slice(194, 258)}`), 1746536469n)
  assert.is(BigInt(`0x${d.slice(258, 322)}`), 420120003n)
})

test('decode(encode(id)) round-trips vectors A, B, C and extreme values', () => {
  const extreme: Identifier = {
    origin: `0x${'ff'.repeat(20)}`,
    blockNumber: MAX_UINT64,
    logIndex: MAX_UINT32,
    timestamp: MAX_UINT64,
    chainId: MAX_UINT256,
  }
  const zero: Identifier = { origin: `0x${'00'.repeat(20)}`, blockNumber: 0n, logIndex: 0, timestamp: 0n, chainId: 0n }
  for (const id of [ID_A, ID_B, ID_C, extreme, zero]) {
    assert.equal(decodeExecutingMessage(log(id)), { payloadHash: EXPECTED.aPayloadHash, identifier: id })
  }
})

test('encodeIdentifier lower-cases a checksummed origin', () => {
  const m = decodeExecutingMessage(log({ ...ID_B, origin: '0x7A23c3fC3dA9a5364b97E0e4c47E7777BaE5C8Cd' }))
  assert.is(m.identifier.origin, ID_B.origin)
})

test('upper-case topics and data decode; payload hash comes back lower-case', () => {
  const l = log(ID_A, EXPECTED.aPayloadHash.toUpperCase().replace('0X', '0x'))
  const m = decodeExecutingMessage({
    topics: [EXECUTING_MESSAGE_TOPIC.toUpperCase().replace('0X', '0x'), l.topics[1]!],
    data: `0x${l.data.slice(2).toUpperCase()}`,
  })
  assert.equal(m, { payloadHash: EXPECTED.aPayloadHash, identifier: ID_A })
})

test('wrong number of topics', () => {
  const l = log(ID_A)
  assert.is(decodeError({ ...l, topics: [] }), 'unexpected number of event topics: 0')
  assert.is(decodeError({ ...l, topics: [EXECUTING_MESSAGE_TOPIC] }), 'unexpected number of event topics: 1')
  assert.is(decodeError({ ...l, topics: [...l.topics, EXPECTED.aPayloadHash] }), 'unexpected number of event topics: 3')
})

test('wrong event topic', () => {
  assert.is(
    decodeError({ ...log(ID_A), topics: [EXPECTED.aPayloadHash, EXPECTED.aPayloadHash] }),
    'unexpected event topic',
  )
})

test('identifier data of the wrong length', () => {
  const d = encodeIdentifier(ID_A)
  assert.is(decodeError({ ...log(ID_A), data: d.slice(0, 2 + 128 * 2) }), 'unexpected identifier data length: 128')
  assert.is(decodeError({ ...log(ID_A), data: `${d}${'00'.repeat(32)}` }), 'unexpected identifier data length: 192')
  assert.is(decodeError({ ...log(ID_A), data: '0x' }), 'unexpected identifier data length: 0')
})

test('non-zero padding in each word', () => {
  const d = encodeIdentifier(ID_A)
  assert.is(
    decodeError({ ...log(ID_A), data: withWord(d, 0, `01${'00'.repeat(11)}${ID_A.origin.slice(2)}`) }),
    'invalid address padding',
  )
  assert.is(
    decodeError({ ...log(ID_A), data: withWord(d, 0, `${'00'.repeat(11)}01${ID_A.origin.slice(2)}`) }),
    'invalid address padding',
  )
  assert.is(
    decodeError({ ...log(ID_A), data: withWord(d, 1, (1n << 64n).toString(16)) }),
    'invalid block number padding',
  )
  assert.is(decodeError({ ...log(ID_A), data: withWord(d, 2, (1n << 32n).toString(16)) }), 'invalid log index padding')
  assert.is(decodeError({ ...log(ID_A), data: withWord(d, 3, (1n << 64n).toString(16)) }), 'invalid timestamp padding')
})

test('the chain id word has no padding: a full uint256 decodes', () => {
  const d = withWord(encodeIdentifier(ID_A), 4, 'f'.repeat(64))
  assert.is(decodeExecutingMessage({ ...log(ID_A), data: d }).identifier.chainId, MAX_UINT256)
})

test('non-hex data or message hash is refused, not half-decoded', () => {
  const d = encodeIdentifier(ID_A)
  assert.is(decodeError({ ...log(ID_A), data: `0x${'zz'}${d.slice(4)}` }), 'invalid identifier data: not hex')
  assert.is(decodeError({ ...log(ID_A), data: d.slice(2) }), 'invalid identifier data: not hex')
  assert.is(decodeError({ ...log(ID_A), data: `${d}0` }), 'invalid identifier data: not hex')
  assert.is(decodeError({ ...log(ID_A), topics: [EXECUTING_MESSAGE_TOPIC, '0x1234'] }), 'invalid message hash topic')
  assert.is(
    decodeError({ ...log(ID_A), topics: [EXECUTING_MESSAGE_TOPIC, `0x${'g'.repeat(64)}`] }),
    'invalid message hash topic',
  )
})

test('isExecutingMessageLog looks at topic 0 only, case-insensitive', () => {
  assert.ok(isExecutingMessageLog({ topics: [EXECUTING_MESSAGE_TOPIC] }))
  assert.ok(
    isExecutingMessageLog({
      topics: [EXECUTING_MESSAGE_TOPIC.toUpperCase().replace('0X', '0x'), EXPECTED.aPayloadHash],
    }),
  )
  assert.not.ok(isExecutingMessageLog({ topics: [] }))
  assert.not.ok(isExecutingMessageLog({ topics: [EXPECTED.aPayloadHash, EXECUTING_MESSAGE_TOPIC] }))
})

test.run()
