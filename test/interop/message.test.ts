import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checksum, logHash, messagePayload, payloadHash } from '../../src/interop/index.js'
import { bytesToHex, hexToBytes } from '../../src/util/hex.js'
import { keccak256 } from '../../src/util/keccak.js'
import { EXPECTED, ID_A } from './_vectors.js'

const t0 = `0x${'11'.repeat(32)}`
const t1 = `0x${'22'.repeat(32)}`

test('the payload is every topic then the data', () => {
  assert.is(bytesToHex(messagePayload({ topics: [t0, t1], data: '0xdeadbeef' })), `${t0}${t1.slice(2)}deadbeef`)
  assert.is(bytesToHex(messagePayload({ topics: [], data: '0x' })), '0x')
  assert.is(bytesToHex(messagePayload({ topics: [t0], data: '0x' })), t0)
})

test('payloadHash is keccak256 of the payload', () => {
  const log = { topics: [t0, t1], data: '0x01' }
  assert.equal(payloadHash(log), keccak256(messagePayload(log)))
  // vector A's payload is the ASCII text "example payload" as log data with no topics
  assert.is(
    bytesToHex(payloadHash({ topics: [], data: bytesToHex(new TextEncoder().encode('example payload')) })),
    EXPECTED.aPayloadHash,
  )
})

test('logHash = keccak256(origin ++ payloadHash) (vector A)', () => {
  assert.is(bytesToHex(logHash(hexToBytes(ID_A.origin), hexToBytes(EXPECTED.aPayloadHash))), EXPECTED.aLogHash)
})

test('checksum from a log hash (vector A) starts with 0x03', () => {
  const sum = checksum({
    logHash: hexToBytes(EXPECTED.aLogHash),
    blockNumber: ID_A.blockNumber,
    timestamp: ID_A.timestamp,
    logIndex: ID_A.logIndex,
    chainId: ID_A.chainId,
  })
  assert.is(bytesToHex(sum), EXPECTED.aChecksum)
  assert.is(sum[0], 0x03)
})

test('every checksum input changes the checksum', () => {
  const base = { logHash: hexToBytes(EXPECTED.aLogHash), blockNumber: 1n, timestamp: 2n, logIndex: 3, chainId: 4n }
  const ref = bytesToHex(checksum(base))
  for (const patch of [
    { logHash: hexToBytes(EXPECTED.bLogHash) },
    { blockNumber: 9n },
    { timestamp: 9n },
    { logIndex: 9 },
    { chainId: 9n },
    { chainId: 4n + (1n << 200n) },
  ]) {
    assert.is.not(bytesToHex(checksum({ ...base, ...patch })), ref, JSON.stringify(Object.keys(patch)))
  }
})

test.run()
