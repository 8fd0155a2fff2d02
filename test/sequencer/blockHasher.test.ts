import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { BlockHasher } from '../../src/sequencer/blockHasher.js'
import { h32, job, submission } from './_fixtures.js'

test('big blocks are hashed on a worker, small ones inline; both agree with the header hash', async () => {
  const hasher = new BlockHasher({ threads: 1, inlineMaxTxs: 4 })
  try {
    const j = job(4)
    const small = submission(j)
    const big = submission(j, {}, '0x1', ['0x0201', '0x0202', '0x0203', '0x0204'])
    const s = hasher.hash(small, true)
    assert.not.ok(s instanceof Promise)
    assert.is(s, small.executionPayload.blockHash)
    const b = hasher.hash(big, true)
    assert.ok(b instanceof Promise)
    assert.is(await b, big.executionPayload.blockHash)
    const broken = { ...big, executionPayload: { ...big.executionPayload, blockHash: h32(1) } }
    assert.is(
      await hasher.hash(broken, true),
      big.executionPayload.blockHash,
      'the hash of the header, whatever blockHash says',
    )
  } finally {
    await hasher.close()
  }
})

test('a fresh pool takes many tasks at once (its worker is still loading the task file)', async () => {
  const hasher = new BlockHasher({ threads: 2, inlineMaxTxs: 0 })
  try {
    const j = job(4)
    const subs = Array.from({ length: 8 }, (_, i) =>
      submission(j, {}, `0x${(i + 1).toString(16)}`, ['0x0201', '0x0202']),
    )
    const hashes = await Promise.all(subs.map((s) => hasher.hash(s, true)))
    assert.equal(
      hashes,
      subs.map((s) => s.executionPayload.blockHash),
    )
  } finally {
    await hasher.close()
  }
})

test('threads: 0 hashes everything inline', async () => {
  const hasher = new BlockHasher({ threads: 0, inlineMaxTxs: 0 })
  const j = job(3)
  const sub = submission(j, {}, '0x1', ['0x0201', '0x0202'])
  assert.is(hasher.hash(sub, false), sub.executionPayload.blockHash)
  await hasher.close()
})

test.run()
