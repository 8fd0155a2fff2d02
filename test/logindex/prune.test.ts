import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LogStore } from '../../src/logindex/logStore.js'
import { openIndex } from '../../src/logindex/openIndex.js'
import { createLogger } from '../../src/util/logger.js'
import { SyntheticChain } from '../_helpers/syntheticChain.js'

// A prune runs on the thread that answers checks, in one transaction per step: a backlog (a day of
// logs at 100M-log density took 150 s in one transaction) must go in bounded steps, oldest first,
// and end where one unbounded prune would.

const dir = mkdtempSync(join(tmpdir(), 'sg-prune-'))
const logger = createLogger('silent')

/** 40 blocks, block n at 1000 + 2n with (n % 7) + 1 logs (block 20: 30 logs), in a real index file. */
function fixture(name: string): { store: LogStore; A: SyntheticChain; logsOf: (n: bigint) => number } {
  const store = new LogStore(openIndex(join(dir, name), { logger }))
  const A = new SyntheticChain(store, 901n)
  const logsOf = (n: bigint) => (n === 20n ? 30 : Number(n % 7n) + 1)
  const blocks = []
  for (let n = 0n; n < 40n; n++) blocks.push(A.block(n, 1000n + 2n * n, { logs: logsOf(n) }))
  A.append(...blocks)
  return { store, A, logsOf }
}

const count = (store: LogStore, table: 'logs' | 'blocks') =>
  Number((store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n)

test('a backlog is pruned in steps of at most step.logs logs (one oversized block alone), oldest first', () => {
  const { store, A, logsOf } = fixture('steps.db')
  const cutoff = 1000n + 2n * 30n // blocks 0..29 are expired
  const steps: { firstKept: bigint; deleted: number }[] = []
  let before = count(store, 'logs')
  for (let guard = 0; guard < 100; guard++) {
    const out = store.prune(A.key, cutoff, { logs: 10, blocks: 1000 })
    assert.ok(out, 'expired blocks remain until done')
    const now = count(store, 'logs')
    steps.push({ firstKept: out.firstKept, deleted: before - now })
    before = now
    if (out.done) break
  }
  for (const s of steps)
    assert.ok(s.deleted <= 10 || s.deleted === logsOf(s.firstKept - 1n), `a step deleted ${s.deleted} logs`)
  assert.ok(steps.length > 5, `${steps.length} steps`)
  assert.ok(
    steps.some((s) => s.deleted === 30),
    'block 20 (30 logs) goes alone in its own step',
  )
  assert.equal(
    steps.map((s) => s.firstKept),
    [...steps.map((s) => s.firstKept)].sort((x, y) => (x < y ? -1 : 1)),
    'oldest first',
  )
  assert.is(steps.at(-1)!.firstKept, 30n)
  assert.is(store.firstBlock(A.key)!.number, 30n)
  assert.is(store.prune(A.key, cutoff, { logs: 10, blocks: 1000 }), undefined, 'nothing left to prune')
  store.db.close()
})

test('the steps end where one unbounded prune ends, rows for rows; the block bound holds too', () => {
  const stepped = fixture('stepped.db')
  const whole = fixture('whole.db')
  const cutoff = 1000n + 2n * 25n
  assert.equal(whole.store.prune(whole.A.key, cutoff, { logs: 1e9, blocks: 1e9 }), { firstKept: 25n, done: true })
  let steps = 0
  for (let done = false; !done; steps++) {
    const out = stepped.store.prune(stepped.A.key, cutoff, { logs: 1e9, blocks: 4 })!
    assert.ok(out.firstKept <= BigInt(4 * (steps + 1)), 'at most 4 blocks a step')
    done = out.done
  }
  assert.is(steps, 7, '25 blocks, 4 a step')
  for (const t of ['logs', 'blocks'] as const) assert.is(count(stepped.store, t), count(whole.store, t), t)
  stepped.store.db.close()
  whole.store.db.close()
})

test.after(() => rmSync(dir, { recursive: true, force: true }))

test.run()
