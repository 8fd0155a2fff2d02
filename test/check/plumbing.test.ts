import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createLimiter, LimiterFullError } from '../../src/check/limiter.js'
import { drive, wait } from '../../src/check/maybePromise.js'
import { BoundedMap } from '../../src/util/boundedMap.js'

test('BoundedMap as an LRU cache: evicts the least recently used beyond max, expires after ttl', () => {
  let now = 0
  const c = new BoundedMap<string, number>(2, { ttlMs: 100, now: () => now, refreshOnGet: true })
  c.set('a', 1)
  c.set('b', 2)
  assert.is(c.get('a'), 1) // a is now the most recent
  c.set('c', 3)
  assert.is(c.get('b'), undefined)
  assert.is(c.get('a'), 1)
  now = 150
  assert.is(c.get('a'), undefined)
  assert.is(c.peek('c'), undefined)
  c.set('d', 4)
  c.replace('d', 5)
  assert.is(c.get('d'), 5)
  c.clear()
  assert.is(c.size, 0)
})

test('limiter: never more than `concurrency` at once, queue bounded, slots handed over', async () => {
  const limit = createLimiter(2, 2)
  let running = 0
  let peak = 0
  const releases: (() => void)[] = []
  const task = () =>
    new Promise<void>((resolve) => {
      running++
      peak = Math.max(peak, running)
      releases.push(() => {
        running--
        resolve()
      })
    })
  const done = [limit(task), limit(task), limit(task), limit(task)]
  const refused = await limit(task).then(
    () => undefined,
    (err: unknown) => err,
  )
  assert.instance(refused, LimiterFullError)
  assert.is(limit.active, 2)
  assert.is(limit.queued, 2)
  for (let i = 0; i < 4; i++) {
    while (releases.length === 0) await Promise.resolve()
    releases.shift()!()
    await done[i]
    await Promise.resolve()
    assert.ok(running <= 2)
  }
  await Promise.all(done)
  assert.is(peak, 2)
  assert.is(limit.active, 0)
})

test('drive: synchronous while values are plain, async from the first promise, errors reach the generator', async () => {
  function* steps(values: (number | Promise<number>)[]): Generator<unknown, number, unknown> {
    let sum = 0
    for (const v of values) {
      try {
        sum += yield* wait(v)
      } catch {
        sum += 1000
      }
    }
    return sum
  }
  assert.is(drive(steps([1, 2, 3])), 6)
  const p = drive(steps([1, Promise.resolve(2), 3]))
  assert.instance(p, Promise)
  assert.is(await p, 6)
  assert.is(await drive(steps([1, Promise.reject(new Error('x')), 3])), 1004)
})

test.run()
