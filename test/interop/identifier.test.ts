import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  accessFor,
  IdentifierError,
  MAX_UINT32,
  MAX_UINT64,
  MAX_UINT256,
  parseChainId,
  parseIdentifierJson,
} from '../../src/interop/index.js'
import { hexToBytes } from '../../src/util/hex.js'
import { EXPECTED, ID_A, ID_B, ID_C } from './_vectors.js'

const json = {
  origin: '0x7A23c3fC3dA9a5364b97E0e4c47E7777BaE5C8Cd',
  blockNumber: '0x35b449',
  logIndex: '0x1',
  timestamp: '0x681a0815',
  chainID: '0x190a85c3',
}

function idError(v: unknown): string {
  try {
    parseIdentifierJson(v)
  } catch (err) {
    assert.instance(err, IdentifierError)
    return (err as Error).message
  }
  throw new assert.Assertion({
    message: 'expected parseIdentifierJson to throw',
    operator: 'throws',
    generated: true,
    expects: 'IdentifierError',
    actual: 'no error',
  })
}

test('accessFor gives vector A, B and C accesses (hex or bytes payload hash)', () => {
  assert.is(accessFor(ID_A, EXPECTED.aPayloadHash).checksum, EXPECTED.aChecksum)
  assert.is(accessFor(ID_A, hexToBytes(EXPECTED.aPayloadHash)).checksum, EXPECTED.aChecksum)
  assert.equal(accessFor(ID_B, EXPECTED.bPayloadHash), {
    chainId: 420120003n,
    blockNumber: 3519561n,
    timestamp: 1746536469n,
    logIndex: 1,
    checksum: EXPECTED.bChecksum,
  })
  assert.is(accessFor(ID_C, EXPECTED.aPayloadHash).checksum, EXPECTED.cChecksum)
})

test('parseIdentifierJson reads the Go wire form (chainID, hex quantities) and lower-cases the origin', () => {
  assert.equal(parseIdentifierJson(json), ID_B)
})

test('chainId spelling and a decimal chain id are accepted too', () => {
  const { chainID, ...rest } = json
  assert.equal(parseIdentifierJson({ ...rest, chainId: chainID }), ID_B)
  assert.equal(parseIdentifierJson({ ...rest, chainID: '420120003' }), ID_B)
  assert.equal(parseIdentifierJson({ ...rest, chainId: '420120003' }), ID_B)
  assert.equal(parseIdentifierJson({ ...rest, chainID: 420120003 }), ID_B)
})

test('chainID wins over chainId when both are present', () => {
  assert.is(parseIdentifierJson({ ...json, chainId: '0x1' }).chainId, 420120003n)
})

test('a missing or malformed chain id is refused', () => {
  const { chainID: _, ...rest } = json
  assert.is(idError(rest), 'invalid chain id undefined')
  assert.is(idError({ ...rest, chainID: 'ten' }), 'invalid chain id "ten"')
  assert.is(idError({ ...rest, chainID: '0x' }), 'invalid chain id "0x"')
  assert.is(idError({ ...rest, chainID: -1 }), 'invalid chain id -1')
  assert.is(idError({ ...rest, chainID: '-1' }), 'invalid chain id "-1"')
})

test('logIndex above uint32: "log index too large"', () => {
  assert.is(parseIdentifierJson({ ...json, logIndex: `0x${MAX_UINT32.toString(16)}` }).logIndex, MAX_UINT32)
  assert.is(idError({ ...json, logIndex: '0x100000000' }), 'log index too large')
})

test('blockNumber and timestamp above uint64 are refused', () => {
  assert.is(
    parseIdentifierJson({
      ...json,
      blockNumber: `0x${MAX_UINT64.toString(16)}`,
      timestamp: `0x${MAX_UINT64.toString(16)}`,
    }).blockNumber,
    MAX_UINT64,
  )
  assert.is(idError({ ...json, blockNumber: '0x10000000000000000' }), 'blockNumber too large')
  assert.is(idError({ ...json, timestamp: '0x10000000000000000' }), 'timestamp too large')
})

test('quantities must be hex strings', () => {
  assert.is(idError({ ...json, blockNumber: 5 }), 'invalid blockNumber: expected a hex quantity')
  assert.is(idError({ ...json, logIndex: '1' }), 'invalid logIndex: expected a hex quantity')
  assert.is(idError({ ...json, timestamp: undefined }), 'invalid timestamp: expected a hex quantity')
})

test('bad origin addresses are refused', () => {
  for (const origin of [undefined, 5, '0x1234', `0x${'g'.repeat(40)}`, `${'ab'.repeat(20)}`, `0x${'ab'.repeat(21)}`]) {
    assert.is(idError({ ...json, origin }), 'invalid origin address', String(origin))
  }
})

test('a non-object identifier is refused', () => {
  for (const v of [null, undefined, 'x', 5, [json]]) assert.is(idError(v), 'identifier must be an object', String(v))
})

test('parseChainId: hex, decimal, JSON numbers, up to uint256', () => {
  assert.is(parseChainId('0xa'), 10n)
  assert.is(parseChainId('10'), 10n)
  assert.is(parseChainId(10), 10n)
  assert.is(parseChainId(`0x${'f'.repeat(64)}`), MAX_UINT256)
  assert.is(parseChainId(MAX_UINT256.toString()), MAX_UINT256)
  assert.throws(() => parseChainId((MAX_UINT256 + 1n).toString()), /chain id exceeds uint256/)
  assert.throws(() => parseChainId(`0x1${'0'.repeat(64)}`), /invalid chain id/)
  assert.throws(() => parseChainId(1.5), /invalid chain id/)
  assert.throws(() => parseChainId(Number.MAX_SAFE_INTEGER + 1), /invalid chain id/)
})

test.run()
