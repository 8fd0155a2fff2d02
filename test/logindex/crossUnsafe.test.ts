import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CrossUnsafe } from '../../src/logindex/crossUnsafe.js'
import type { LogStore } from '../../src/logindex/logStore.js'
import { createLogger } from '../../src/util/logger.js'
import { memoryStore } from '../_helpers/memoryStore.js'
import { SyntheticChain } from '../_helpers/syntheticChain.js'

function setup(expirySeconds = 1000n) {
  const store = memoryStore()
  const [A, B, C] = [901n, 902n, 903n].map((id) => new SyntheticChain(store, id)) as [
    SyntheticChain,
    SyntheticChain,
    SyntheticChain,
  ]
  const cross = new CrossUnsafe(store, [A, B, C], { expirySeconds, logger: createLogger('silent') })
  const at = (c: SyntheticChain) => store.head(c.key, 'cross-unsafe')?.number
  return { store, A, B, C, cross, at }
}

const close = (store: LogStore) => store.db.close()

test('a dependency on an earlier block waits until the source block is indexed and cross-unsafe', () => {
  const { store, A, B, cross, at } = setup()
  A.block(0n, 1000n)
  A.block(1n, 1002n)
  B.append(B.block(0n, 1001n), B.block(1n, 1003n), B.block(2n, 1005n, { execs: [A.exec(1n)] }), B.block(3n, 1007n))
  cross.advanceAll()
  assert.is(at(B), 1n, 'B stops before the block executing an unindexed A log')
  A.appendRange(0n, 3n)
  const moved = cross.advanceAll().map((c) => c.chainId)
  assert.equal(moved.sort(), [901n, 902n])
  assert.is(at(A), 3n)
  assert.is(at(B), 3n)
  close(store)
})

test('same-timestamp dependencies need only exist, so a cycle passes', () => {
  const { store, A, B, cross, at } = setup()
  A.appendRange(0n, 1n)
  B.appendRange(0n, 1n)
  // A2 and B2 share a timestamp and execute each other's first log.
  const a2 = A.block(2n, 2000n, { logs: 1 })
  const b2 = B.block(2n, 2000n, { logs: 1 })
  A.append({
    ...a2,
    execMsgs: [{ ...B.exec(2n), logIndex: 1 }],
    logs: [...a2.logs, { logIndex: 1, checksum: Buffer.alloc(32), logHash: Buffer.alloc(32) }],
  })
  B.append({
    ...b2,
    execMsgs: [{ ...A.exec(2n), logIndex: 1 }],
    logs: [...b2.logs, { logIndex: 1, checksum: Buffer.alloc(32), logHash: Buffer.alloc(32) }],
  })
  cross.advanceAll()
  assert.is(at(A), 2n)
  assert.is(at(B), 2n)
  close(store)
})

test('invalid executing messages stop the head at the block before them', () => {
  const cases: [string, (s: ReturnType<typeof setup>) => Parameters<SyntheticChain['exec']>[2] & object, RegExp][] = [
    ['forged checksum', () => ({ checksum: Buffer.alloc(32, 7) }), /checksum mismatch/],
    ['unknown chain', () => ({ sourceChain: 5n }), /not in the dependency set/],
    ['initiated after execution', () => ({ sourceTimestamp: 9999n }), /after executing timestamp/],
    ['expired', () => ({ sourceTimestamp: 1n }), /expired/],
    ['missing log', () => ({ sourceLogIndex: 9 }), /no log 9/],
    ['block number beyond a later head timestamp', () => ({ sourceBlock: 50n }), /cannot have timestamp/],
  ]
  for (const [name, override, reason] of cases) {
    const s = setup()
    s.A.appendRange(0n, 3n)
    s.B.appendRange(0n, 1n)
    s.B.append(s.B.block(2n, 1010n, { execs: [s.A.exec(1n, 0, override(s))] }), s.B.block(3n, 1012n))
    s.cross.advanceAll()
    assert.is(s.at(s.B), 1n, name)
    const m = s.store.execMsgsOfBlock(s.B.key, 2n)[0]!
    const v = s.cross.evaluate(s.B.key, 1010n, m, 1n)
    assert.is(v.kind, 'invalid', name)
    assert.match((v as { reason: string }).reason, reason, name)
    close(s.store)
  }
})

test('a rewind pulls dependent cross-unsafe heads back, transitively', () => {
  const { store, A, B, C, cross, at } = setup()
  A.appendRange(0n, 3n) // timestamps 1000..1006
  B.append(B.block(0n, 1001n), B.block(1n, 1003n), B.block(2n, 1005n, { execs: [A.exec(2n)] }), B.block(3n, 1007n))
  C.append(C.block(0n, 1001n), C.block(1n, 1003n), C.block(2n, 1005n), C.block(3n, 1009n, { execs: [B.exec(3n)] }))
  cross.advanceAll()
  assert.equal([at(A), at(B), at(C)], [3n, 3n, 3n])
  store.transaction(() => {
    store.rewind(A.key, 1n)
    cross.pullBack(A.key, 1n)
  })
  assert.equal([at(A), at(B), at(C)], [1n, 1n, 2n], "B2 executed A2; C3 executed B3, above B's new head")
  assert.is(store.head(A.key, 'unsafe')!.number, 1n)
  assert.is(store.findLog(A.key, 2n, 0), undefined)
  // A re-indexes another fork: A2's log checksum changes, B2 becomes invalid and stays below it.
  A.fork = 'b'
  A.append(A.block(2n, 1004n), A.block(3n, 1006n))
  cross.advanceAll()
  assert.equal([at(A), at(B), at(C)], [3n, 1n, 2n])
  close(store)
})

test('the store keeps blocks linked and heads at or below the indexed head', () => {
  const { store, A } = setup()
  A.appendRange(0n, 5n)
  assert.throws(() => A.append(A.block(7n, 2000n)), /does not extend/)
  const orphan = A.block(6n, 2000n)
  assert.throws(
    () => A.append({ ...orphan, ref: { ...orphan.ref, parentHash: A.hash(5n, 'x') } }),
    /does not extend/,
    'parent hash of another fork',
  )
  store.setTags(A.key, {
    safe: store.block(A.key, 4n),
    finalized: { number: 9n, hash: A.hash(9n), parentHash: A.hash(8n), timestamp: 0n },
  })
  assert.is(store.head(A.key, 'safe')!.number, 4n)
  assert.is(store.head(A.key, 'finalized')!.number, 5n, 'a tag beyond the index is capped at the indexed head')
  store.rewind(A.key, 3n)
  for (const level of ['unsafe', 'safe', 'finalized'] as const) assert.is(store.head(A.key, level)!.number, 3n, level)
  assert.is(store.block(A.key, 4n), undefined)
  // Prune never removes the head, even when every block is old.
  assert.equal(store.prune(A.key, 10_000n), { firstKept: 3n, done: true })
  assert.is(store.firstBlock(A.key)!.number, 3n)
  assert.is(store.prune(A.key, 10_000n), undefined)
  close(store)
})

test.run()
