import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { keccak256 as viemKeccak } from 'viem'
import { bytesToHex } from '../../src/util/hex.js'
import { initKeccak, keccak256, keccakImplementation } from '../../src/util/keccak.js'

const EMPTY = '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'
const inputs = [0, 1, 31, 32, 33, 135, 136, 137, 1000, 65_536].map((n) => crypto.getRandomValues(new Uint8Array(n)))

test('keccak256 of the empty input (whichever implementation is active)', () => {
  assert.is(bytesToHex(keccak256(new Uint8Array())), EMPTY)
})

test('initKeccak switches to wasm, is idempotent, and hashes agree with viem across block sizes', async () => {
  const p = initKeccak()
  assert.is(initKeccak(), p)
  await p
  assert.is(keccakImplementation(), 'wasm')
  assert.is(bytesToHex(keccak256(new Uint8Array())), EMPTY)
  for (const input of inputs) assert.is(bytesToHex(keccak256(input)), viemKeccak(input), `${input.length} bytes`)
})

test('the wasm hasher is reset between calls', () => {
  const a = keccak256(new Uint8Array([1, 2, 3]))
  keccak256(new Uint8Array(500))
  assert.equal(keccak256(new Uint8Array([1, 2, 3])), a)
})

test('results are independent buffers', () => {
  const a = keccak256(new Uint8Array([1]))
  const copy = bytesToHex(a)
  keccak256(new Uint8Array([2]))
  assert.is(bytesToHex(a), copy)
})

test.run()
