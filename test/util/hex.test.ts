import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bytesToHex, hexToBytes, isHex, quantityToBigInt, toQuantity } from '../../src/util/hex.js'

test('isHex checks prefix, digits, even length and an optional byte count', () => {
  assert.ok(isHex('0x'))
  assert.ok(isHex('0xABcd'))
  assert.ok(isHex('0xabcd', 2))
  assert.not.ok(isHex('0xabc'))
  assert.not.ok(isHex('abcd'))
  assert.not.ok(isHex('0xzz'))
  assert.not.ok(isHex('0xabcd', 3))
  assert.not.ok(isHex(5))
})

test('hexToBytes and bytesToHex round-trip, with or without 0x', () => {
  assert.equal([...hexToBytes('0x00ff10')], [0, 255, 16])
  assert.equal([...hexToBytes('00ff10')], [0, 255, 16])
  assert.is(bytesToHex(new Uint8Array([0, 255, 16])), '0x00ff10')
  assert.is(bytesToHex(new Uint8Array()), '0x')
})

test('bytesToHex respects a view into a larger buffer', () => {
  const big = new Uint8Array([1, 2, 3, 4, 5])
  assert.is(bytesToHex(big.subarray(1, 3)), '0x0203')
})

test('quantityToBigInt accepts canonical quantities only', () => {
  assert.is(quantityToBigInt('0x0'), 0n)
  assert.is(quantityToBigInt('0x1a'), 26n)
  assert.is(quantityToBigInt('0xFF'), 255n)
  for (const bad of ['0x', '0x01', '1a', '0xg', 26, null, '0x 1'])
    assert.throws(() => quantityToBigInt(bad), TypeError, String(bad))
})

test('toQuantity writes minimal hex', () => {
  assert.is(toQuantity(0), '0x0')
  assert.is(toQuantity(26n), '0x1a')
  assert.is(toQuantity(2n ** 64n), '0x10000000000000000')
})

test.run()
