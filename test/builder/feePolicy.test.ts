import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { orderByFee, type PoolEntry } from '../../src/builder/feePolicy.js'

let seq = 0
const tx = (from: string, nonce: number, tipGwei: number, feeCapGwei = 100): PoolEntry => ({
  raw: '0x',
  hash: `0x${(++seq).toString(16).padStart(64, '0')}`,
  type: 2,
  chainId: 901,
  nonce: BigInt(nonce),
  gas: 21000n,
  to: null,
  value: 0n,
  data: '0x',
  maxFeePerGas: BigInt(feeCapGwei) * 10n ** 9n,
  maxPriorityFeePerGas: BigInt(tipGwei) * 10n ** 9n,
  accessList: [],
  authorizations: 0,
  depositFrom: undefined,
  parsed: {},
  from,
  seq,
})

const GWEI = 10n ** 9n

test('highest tip first across senders, nonce order within a sender', () => {
  const a0 = tx('a', 0, 1)
  const a1 = tx('a', 1, 9)
  const b0 = tx('b', 0, 5)
  const out = orderByFee([a1, b0, a0], GWEI)
  assert.equal(
    out.map((t) => t.hash),
    [b0.hash, a0.hash, a1.hash],
  )
})

test('effective tip is capped by fee cap − base fee; underpriced stops the sender', () => {
  const capped = tx('a', 0, 50, 12) // effective 2 gwei at base fee 10
  const plain = tx('b', 0, 3)
  const under = tx('c', 0, 5, 9)
  const after = tx('c', 1, 50)
  const out = orderByFee([capped, plain, under, after], 10n * GWEI)
  assert.equal(
    out.map((t) => t.hash),
    [plain.hash, capped.hash],
  )
})

test('ties: first seen first', () => {
  const x = tx('x', 0, 2)
  const y = tx('y', 0, 2)
  assert.equal(
    orderByFee([y, x], GWEI).map((t) => t.hash),
    [x.hash, y.hash],
  )
})

test.run()
