import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { IndexedBlock } from '../../src/logindex/indexedBlock.js'
import { IndexLogReader, openLogReader } from '../../src/logindex/logReader.js'
import { LogStore } from '../../src/logindex/logStore.js'
import { migrate } from '../../src/logindex/migrate.js'
import { openDb } from '../../src/logindex/openDb.js'

const CHAIN = 901n
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as const
const block = (n: number): IndexedBlock => ({
  ref: { number: BigInt(n), hash: hash(n), parentHash: hash(n - 1), timestamp: 1_000n + BigInt(n) },
  logs: [{ logIndex: 0, checksum: Buffer.alloc(32, n), logHash: Buffer.alloc(32, n) }],
  execMsgs: [],
})

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'sg-reader-'))
  const path = join(dir, 'index.db')
  const db = openDb(path)
  migrate(db)
  const store = new LogStore(db)
  const { key } = store.registerChain(CHAIN)
  store.appendBlocks(key, [block(1)])
  const reader = openLogReader(path)
  return {
    store,
    key,
    reader,
    close: () => {
      reader.close()
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

test('snapshot: every look-up inside reads one state, though the writer commits meanwhile', () => {
  const f = fixture()
  try {
    const seen = f.reader.snapshot(() => {
      const before = f.reader.findLog(CHAIN, 1n, 0)
      f.store.appendBlocks(f.key, [block(2)]) // another connection commits block 2
      return { before, block2: f.reader.findLog(CHAIN, 2n, 0), head: f.reader.block(CHAIN, 2n) }
    })
    assert.equal(seen.before, { checksum: Buffer.alloc(32, 1), timestamp: 1_001n })
    assert.is(seen.block2, undefined, 'the commit is not visible inside the snapshot')
    assert.is(seen.head, undefined)
    assert.equal(
      f.reader.findLog(CHAIN, 2n, 0),
      { checksum: Buffer.alloc(32, 2), timestamp: 1_002n },
      'visible after it',
    )
  } finally {
    f.close()
  }
})

test('snapshot: nests, returns the value, and ends on a throw (the reader stays usable)', () => {
  const f = fixture()
  try {
    assert.is(
      f.reader.snapshot(() => f.reader.snapshot(() => 7)),
      7,
    )
    assert.throws(
      () =>
        f.reader.snapshot(() => {
          throw new Error('boom')
        }),
      /boom/,
    )
    // Had the throw left the read transaction open, this commit would stay invisible.
    f.store.appendBlocks(f.key, [block(2)])
    assert.ok(f.reader.findLog(CHAIN, 2n, 0))
  } finally {
    f.close()
  }
})

test("snapshot on the writer's own connection (the supervisor's in-process reader)", () => {
  const f = fixture()
  try {
    const own = new IndexLogReader(f.store.db, { state: f.store })
    assert.is(
      own.snapshot(() => own.findLog(CHAIN, 1n, 0)?.timestamp),
      1_001n,
    )
    f.store.appendBlocks(f.key, [block(2)]) // the writer commits after the snapshot ended
    assert.is(own.findLog(CHAIN, 2n, 0)?.timestamp, 1_002n)
    assert.is(f.store.db.inTransaction, false)
  } finally {
    f.close()
  }
})

test.run()
