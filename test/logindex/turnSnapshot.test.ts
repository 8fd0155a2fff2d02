import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { BlockRef, HeadLevel } from '../../src/check/types.js'
import { CrossUnsafe } from '../../src/logindex/crossUnsafe.js'
import { WriteInReadError } from '../../src/logindex/errors.js'
import type { IndexedBlock, IndexedExecMsg } from '../../src/logindex/indexedBlock.js'
import { IndexLogReader, openLogReader } from '../../src/logindex/logReader.js'
import { LogStore } from '../../src/logindex/logStore.js'
import { migrate } from '../../src/logindex/migrate.js'
import { openDb } from '../../src/logindex/openDb.js'
import { type Schedule, TurnSnapshot, turnSnapshotOf } from '../../src/logindex/turnSnapshot.js'
import { createLogger } from '../../src/util/logger.js'
import { SyntheticChain } from '../_helpers/syntheticChain.js'

// The supervisor's reader shares the writer's connection and holds one read transaction across
// many checks (TurnSnapshot). What must hold whatever the interleaving of checks, turns, the cap,
// writes, reorgs, prunes and I/O errors: a check never sees a head (from the writer's memory) that
// points beyond the rows of its snapshot, nor rows of a block a reorg rewound; every write reaches
// the file (no write nests inside the held read); cross-unsafe keeps advancing.

const A_ID = 901n
const B_ID = 902n
const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** A schedule whose timers the test fires by hand (the cap falling due). */
function manualSchedule(): { schedule: Schedule; fire(): number; pending(): number } {
  const timers = new Set<() => void>()
  return {
    schedule: (fn) => {
      timers.add(fn)
      return () => timers.delete(fn)
    },
    fire: () => {
      const due = [...timers]
      timers.clear()
      for (const fn of due) fn()
      return due.length
    },
    pending: () => timers.size,
  }
}

function fixture(opts: { failCommit?: () => boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sg-turn-'))
  const path = join(dir, 'index.db')
  const db = openDb(path)
  migrate(db)
  const clock = manualSchedule()
  const commit = db.prepare('COMMIT')
  const snap = new TurnSnapshot(db, {
    schedule: clock.schedule,
    sql: {
      commit: {
        run: () => {
          if (opts.failCommit?.()) throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' })
          return commit.run()
        },
      },
    },
  })
  const store = new LogStore(db)
  const A = new SyntheticChain(store, A_ID)
  const B = new SyntheticChain(store, B_ID)
  const reader = new IndexLogReader(db, { chains: [A_ID, B_ID], state: store, heldSnapshot: true })
  // Another connection: what the file holds (every commit that reached it).
  const file = openLogReader(path)
  return {
    db,
    path,
    store,
    A,
    B,
    reader,
    file,
    snap,
    clock,
    close: () => {
      file.close()
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

test('one read transaction is held across turns until the writer writes; the write is its own and reaches the file', async () => {
  const f = fixture()
  try {
    f.A.appendRange(0n, 3n)
    assert.is(f.reader.findLog(A_ID, 1n, 0)?.timestamp, 1002n)
    assert.ok(f.snap.held && f.db.inTransaction, 'the look-up opened it')
    await turn()
    await turn()
    assert.ok(f.snap.held, 'still held turns later')
    assert.is(turnSnapshotOf(f.db), f.snap, "one per connection: the reader's and the writer's")
    f.A.appendRange(4n, 4n)
    assert.is(f.db.inTransaction, false, 'the write ended it and committed on its own')
    assert.is(f.file.block(A_ID, 4n)?.hash, f.A.hash(4n), 'in the file')
    assert.is(f.reader.block(A_ID, 4n)?.hash, f.A.hash(4n), 'the next look-up sees it')
    assert.ok(f.snap.held)
    // setReady and setBackfillStart write outside a transaction: they end it too.
    f.store.setBackfillStart(f.A.key, 0n)
    assert.is(f.db.inTransaction, false)
    f.reader.findLog(A_ID, 1n, 0)
    f.store.setReady(f.A.key)
    assert.is(f.db.inTransaction, false)
    assert.is(f.file.isReady(A_ID), true)
  } finally {
    f.close()
  }
})

test('the cap ends it between turns: a commit of another connection is seen within the cap', () => {
  const f = fixture()
  try {
    f.A.appendRange(0n, 1n)
    assert.ok(f.reader.block(A_ID, 1n))
    // A second writer on the file (another process): not seen while the snapshot is held.
    const other = new LogStore(openDb(f.path))
    other.registerChain(A_ID)
    other.appendBlocks(f.A.key, [f.A.block(2n, 1004n)])
    assert.is(f.reader.block(A_ID, 2n), undefined, 'the held view')
    assert.is(f.clock.pending(), 1, 'the cap is armed')
    f.clock.fire()
    assert.is(f.snap.held, false)
    assert.is(f.reader.block(A_ID, 2n)?.hash, f.A.hash(2n), 'seen after the cap')
    other.db.close()
  } finally {
    f.close()
  }
})

test('a held reader on another connection reads its heads in the snapshot too: heads and rows one view until the cap', () => {
  const f = fixture()
  const ro = openDb(f.path, { readonly: true })
  try {
    f.A.appendRange(0n, 1n)
    const clock = manualSchedule()
    new TurnSnapshot(ro, { schedule: clock.schedule })
    const other = new IndexLogReader(ro, { heldSnapshot: true })
    assert.is(other.head(A_ID, 'unsafe')?.number, 1n)
    f.A.appendRange(2n, 2n)
    assert.is(other.head(A_ID, 'unsafe')?.number, 1n, 'the held view: the head')
    assert.is(other.block(A_ID, 2n), undefined, 'and the rows alike')
    clock.fire()
    assert.is(other.head(A_ID, 'unsafe')?.number, 2n)
    assert.is(other.block(A_ID, 2n)?.hash, f.A.hash(2n))
  } finally {
    ro.close()
    f.close()
  }
})

test('nested snapshots and batches reuse it; inside the writer’s transaction a look-up joins that one', () => {
  const f = fixture()
  try {
    f.A.appendRange(0n, 2n)
    const seen = f.reader.snapshot(() => f.reader.snapshot(() => f.reader.findLog(A_ID, 2n, 0)?.timestamp))
    assert.is(seen, 1004n)
    assert.ok(f.snap.held, 'the batch kept the held snapshot, it did not commit it')
    f.store.transaction(() => {
      f.store.appendBlocks(f.A.key, [f.A.block(3n, 1006n)])
      // e.g. a check run from inside a commit: it reads the writer's transaction, holds nothing.
      assert.is(f.reader.block(A_ID, 3n)?.hash, f.A.hash(3n))
      assert.is(f.snap.held, false)
    })
    assert.is(f.db.inTransaction, false)
    assert.is(f.file.block(A_ID, 3n)?.hash, f.A.hash(3n))
  } finally {
    f.close()
  }
})

test('I/O errors: a failed COMMIT ends it with ROLLBACK; a failed look-up rolls it back (retried until it can), and the writer never writes inside it', () => {
  let failCommit = false
  const f = fixture({ failCommit: () => failCommit })
  try {
    f.A.appendRange(0n, 1n)
    f.reader.findLog(A_ID, 1n, 0)
    failCommit = true
    f.A.appendRange(2n, 2n) // the writer's end(): COMMIT fails, ROLLBACK of the read, then its own write
    failCommit = false
    assert.is(f.snap.held, false)
    assert.is(f.file.block(A_ID, 2n)?.hash, f.A.hash(2n), 'the write reached the file')

    // A look-up that fails inside the held snapshot: here the logs table is gone from its view (as
    // a damaged schema page would), and the connection is busy with an open iterator, so the
    // ROLLBACK cannot run at once either.
    f.reader.findLog(A_ID, 1n, 0)
    f.db.exec('DROP TABLE logs') // inside the held transaction: the ROLLBACK brings it back
    const it = f.db.prepare('SELECT number FROM blocks').iterate()
    it.next()
    assert.throws(() => f.reader.findLog(A_ID, 1n, 0), /no such table/)
    assert.ok(f.snap.held && f.db.inTransaction, 'still owned, to be rolled back')
    assert.throws(
      () => f.A.appendRange(3n, 3n),
      (err: unknown) => err instanceof WriteInReadError,
    )
    assert.is(f.store.head(f.A.key, 'unsafe')?.number, 2n, 'the refused write moved no head')
    it.return?.()
    f.A.appendRange(3n, 3n) // the writer's end(): ROLLBACK (a failed snapshot never commits), then its write
    assert.is(f.db.inTransaction, false)
    assert.is(f.reader.findLog(A_ID, 1n, 0)?.timestamp, 1002n, 'rolled back, not committed: the table is there')
    assert.is(f.file.block(A_ID, 3n)?.hash, f.A.hash(3n))
    assert.is(f.reader.block(A_ID, 3n)?.hash, f.A.hash(3n))
    // A read transaction that is not the snapshot's (opened by hand): the writer refuses to nest in it.
    f.clock.fire()
    f.db.exec('BEGIN')
    f.db.prepare('SELECT 1').get()
    assert.throws(
      () => f.A.appendRange(4n, 4n),
      (err: unknown) => err instanceof WriteInReadError,
    )
    f.db.exec('COMMIT')
    f.A.appendRange(4n, 4n)
    assert.is(f.file.block(A_ID, 4n)?.hash, f.A.hash(4n))
  } finally {
    f.close()
  }
})

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): (n: number) => number {
  let a = seed >>> 0
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
}

type Model = { canon: Map<bigint, { hash: string; fork: string }>; orphans: { n: bigint; checksum: Buffer }[] }

test('any interleaving of checks, turns, the cap, appends, reorgs, prunes, cross-unsafe and failed commits: heads never point beyond the rows a check sees, rewound rows are never seen, every write is in the file', async () => {
  for (const seed of [1, 2, 3, 4]) {
    const rnd = random(seed)
    let failCommit = false
    const f = fixture({
      failCommit: () => {
        const fail = failCommit
        failCommit = false
        return fail
      },
    })
    const cross = new CrossUnsafe(f.store, [f.A, f.B], { expirySeconds: 1_000_000n, logger: createLogger('silent') })
    const chains = [f.A, f.B] as const
    const model = new Map<SyntheticChain, Model>(chains.map((c) => [c, { canon: new Map(), orphans: [] }]))
    let forks = 0
    const head = (c: SyntheticChain) => f.store.head(c.key, 'unsafe')?.number ?? -1n
    const firstKept = (c: SyntheticChain) => f.store.firstBlock(c.key)?.number ?? 0n

    /** Blocks from..to of `c` on its current fork, each executing (sometimes) a settled log of the other chain. */
    const build = (c: SyntheticChain, from: bigint, to: bigint): IndexedBlock[] => {
      const other = c === f.A ? f.B : f.A
      const blocks: IndexedBlock[] = []
      for (let n = from; n <= to; n++) {
        const execs: IndexedExecMsg[] = []
        // A source at least 4 below the other chain's head (reorgs here are at most 3 deep) and
        // below n (earlier timestamp): valid for good, so cross-unsafe must reach the unsafe head.
        const top = head(other) - 4n < n - 1n ? head(other) - 4n : n - 1n
        const low = firstKept(other)
        if (top >= low && rnd(2) === 0) {
          const src = low + BigInt(rnd(Number(top - low) + 1))
          const fork = model.get(other)!.canon.get(src)!.fork
          execs.push(other.exec(src, 0, { checksum: other.checksum(src, 0, fork) }))
        }
        blocks.push(c.block(n, 1000n + 2n * n, { execs }))
        model.get(c)!.canon.set(n, { hash: c.hash(n), fork: c.fork })
      }
      return blocks
    }

    /** What a check sees, through the held reader, against the model and the file. */
    const verify = (where: string) => {
      for (const c of chains) {
        const m = model.get(c)!
        const u = f.reader.head(c.chainId, 'unsafe')
        const top = head(c)
        if (!u) {
          assert.is(top, -1n, where)
          continue
        }
        assert.is(u.hash, m.canon.get(u.number)?.hash, `${where}: unsafe head is the model's`)
        assert.is(f.reader.block(c.chainId, u.number)?.hash, u.hash, `${where}: the head's block is visible`)
        assert.is(f.reader.block(c.chainId, u.number + 1n), undefined, `${where}: no block above the head`)
        assert.is(f.reader.findLog(c.chainId, u.number + 1n, 0), undefined, `${where}: no log above the head`)
        const first = firstKept(c)
        for (const level of ['cross-unsafe', 'safe', 'finalized'] as HeadLevel[]) {
          const h = f.reader.head(c.chainId, level)
          if (!h) continue
          assert.ok(h.number <= u.number, `${where}: ${level} at or below unsafe`)
          if (h.number >= first)
            assert.is(f.reader.block(c.chainId, h.number)?.hash, h.hash, `${where}: ${level} block visible`)
        }
        for (let i = 0; i < 3; i++) {
          const n = first + BigInt(rnd(Number(u.number - first) + 1))
          const fork = m.canon.get(n)!.fork
          assert.equal(f.reader.findLog(c.chainId, n, 0)?.checksum, c.checksum(n, 0, fork), `${where}: log of ${n}`)
        }
        for (const o of m.orphans.slice(-5)) {
          const seen = f.reader.findLog(c.chainId, o.n, 0)
          assert.ok(!seen?.checksum.equals(o.checksum), `${where}: a rewound log of ${o.n} is not seen`)
        }
        // Every write reached the file: the heads table and the head's block, from another connection.
        const onFile = f.file.head(c.chainId, 'unsafe') as BlockRef
        assert.is(onFile?.hash, u.hash, `${where}: the file's head`)
        assert.is(f.file.block(c.chainId, u.number)?.hash, u.hash, `${where}: the file's head block`)
      }
    }

    for (let step = 0; step < 300; step++) {
      const c = chains[rnd(2)]!
      const op = rnd(100)
      const where = `seed ${seed} step ${step} op ${op}`
      if (op < 30) {
        const from = head(c) + 1n
        c.append(...build(c, from, from + BigInt(rnd(3))))
        cross.advanceAll()
      } else if (op < 40 && head(c) > firstKept(c) + 3n) {
        // A reorg as the ingester runs it: rewind and pull cross-unsafe back in one transaction, then the new fork.
        const top = head(c)
        const ancestor = top - 1n - BigInt(rnd(3))
        const m = model.get(c)!
        for (let n = ancestor + 1n; n <= top; n++) {
          m.orphans.push({ n, checksum: c.checksum(n, 0, m.canon.get(n)!.fork) })
          m.canon.delete(n)
        }
        f.store.transaction(() => {
          f.store.rewind(c.key, ancestor)
          cross.pullBack(c.key, ancestor)
        })
        verify(`${where} (rewound)`)
        c.fork = `f${++forks}`
        c.append(...build(c, ancestor + 1n, top + BigInt(rnd(2))))
        cross.advanceAll()
      } else if (op < 50) {
        cross.advanceAll()
        for (const x of chains)
          assert.is(
            f.store.head(x.key, 'cross-unsafe')?.number,
            f.store.head(x.key, 'unsafe')?.number,
            `${where}: cross-unsafe reached unsafe`,
          )
      } else if (op < 58) {
        const out = f.store.prune(c.key, 1000n + 2n * (head(c) - 12n), { logs: 3, blocks: 2 })
        if (out) for (const n of [...model.get(c)!.canon.keys()]) if (n < out.firstKept) model.get(c)!.canon.delete(n)
      } else if (op < 62) {
        const u = f.store.head(c.key, 'unsafe')
        const safe = u && f.store.block(c.key, u.number - 2n)
        if (safe) f.store.setTags(c.key, { safe, finalized: f.store.block(c.key, u.number - 4n) })
      } else if (op < 75) {
        await turn()
      } else if (op < 80) {
        f.clock.fire()
      } else if (op < 85) {
        failCommit = true // the next end() of the held snapshot fails its COMMIT
      } else {
        f.reader.snapshot(() => verify(`${where} (batch)`))
      }
      verify(where)
    }
    assert.ok(forks > 5, `seed ${seed}: ${forks} reorgs`)
    f.close()
  }
})

test('pruning in steps while checks hold the snapshot: each step is its own transaction in the file, checks see it at once', () => {
  const f = fixture()
  try {
    const blocks = []
    for (let n = 0n; n < 40n; n++) blocks.push(f.A.block(n, 1000n + 2n * n, { logs: 3 }))
    f.A.append(...blocks)
    const cutoff = 1000n + 2n * 30n
    let steps = 0
    for (let out = f.store.prune(f.A.key, cutoff, { logs: 10, blocks: 100 }); out; ) {
      steps++
      assert.is(f.db.inTransaction, false, 'the step did not nest in the held read')
      assert.is(f.file.block(A_ID, out.firstKept - 1n), undefined, 'the file lost the pruned block')
      assert.is(f.reader.block(A_ID, out.firstKept - 1n), undefined, 'so does the next check')
      assert.is(f.reader.block(A_ID, out.firstKept)?.hash, f.A.hash(out.firstKept))
      assert.ok(f.snap.held, 'that check holds a snapshot again')
      if (out.done) break
      out = f.store.prune(f.A.key, cutoff, { logs: 10, blocks: 100 })
    }
    assert.ok(steps >= 9, `${steps} steps of at most 10 logs`)
    assert.is(f.store.firstBlock(f.A.key)?.number, 30n)
  } finally {
    f.close()
  }
})

test('the background quick_check reads the file on its own connection while a snapshot is held and the writer writes', async () => {
  const { checkInBackground } = await import('../../src/logindex/backgroundCheck.js')
  const { StorageErrors } = await import('../../src/logindex/storageErrors.js')
  const f = fixture()
  const logger = createLogger('silent')
  const storage = new StorageErrors({ dbPath: f.path, logger })
  try {
    f.A.appendRange(0n, 200n)
    f.reader.findLog(A_ID, 5n, 0)
    assert.ok(f.snap.held)
    const check = checkInBackground(f.path, { storage, logger })
    for (let n = 201n; n < 260n; n++) {
      f.A.appendRange(n, n)
      f.reader.findLog(A_ID, n, 0)
      await turn()
    }
    assert.is(await check.result, undefined, 'the file is sound')
    assert.is(storage.problem(), undefined)
    assert.is(f.file.block(A_ID, 259n)?.hash, f.A.hash(259n))
    await check.stop()
  } finally {
    storage.close()
    f.close()
  }
})

test.run()
