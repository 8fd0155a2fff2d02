import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FailureLog } from '../../src/util/failureLog.js'
import { captureLog } from '../_helpers/captureLog.js'

test('a streak: first failure at once, the rest counted into one line per interval, one recovery line with the total', () => {
  const { logger, lines } = captureLog()
  const f = new FailureLog(logger, 'thing failed', 1000)
  for (let t = 0; t < 2500; t += 100) f.failure(new Error(`e${t}`), {}, t)
  assert.equal(
    lines.map((l) => [l.level, l.failures]),
    [
      [40, 1],
      [40, 10],
      [40, 10],
    ],
  )
  f.success({}, 2600)
  assert.equal(lines.at(-1), { ...lines.at(-1)!, level: 30, msg: 'thing failed: recovered', failures: 25 })
  f.close()
})

test('options: error level, own recovery message', () => {
  const { logger, lines } = captureLog()
  const f = new FailureLog(logger, 'disk failed', 1000, { level: 'error', recoveredMsg: 'disk back' })
  f.failure('x', {}, 0)
  f.success({}, 10)
  assert.equal(
    lines.map((l) => [l.level, l.msg]),
    [
      [50, 'disk failed'],
      [30, 'disk back'],
    ],
  )
})

test('flush: failures after the last line are written when their interval ends, without a further failure', async () => {
  let second: () => void = () => {}
  const flushed = new Promise<void>((resolve) => {
    second = resolve
  })
  const { logger, lines } = captureLog(() => {
    if (lines.length === 2) second()
  })
  const f = new FailureLog(logger, 'burst', 50, { flush: true })
  f.failure(new Error('a'), { op: 'read' })
  f.failure(new Error('b'), { op: 'read' })
  f.failure(new Error('c'), { op: 'write' })
  assert.is(lines.length, 1)
  // The flush timer is unref'd (it must not keep a process alive): hold the loop open meanwhile.
  const hold = setTimeout(() => {}, 5000)
  await flushed
  clearTimeout(hold)
  assert.equal([lines[1]!.failures, lines[1]!.err, lines[1]!.op], [2, 'c', 'write'], 'the count and the latest failure')
  f.close()
  assert.is(lines.length, 2, 'nothing left to flush')
})

test('flush: close() writes what is pending; a recovery cancels the flush', () => {
  const { logger, lines } = captureLog()
  const f = new FailureLog(logger, 'burst', 60_000, { flush: true })
  f.failure('a')
  f.failure('b')
  f.close()
  assert.equal(
    lines.map((l) => l.failures),
    [1, 1],
  )
  const g = new FailureLog(logger, 'other', 60_000, { flush: true })
  g.failure('a')
  g.failure('b')
  g.success()
  g.close()
  assert.equal(
    lines.slice(2).map((l) => [l.msg, l.failures]),
    [
      ['other', 1],
      ['other: recovered', 2],
    ],
  )
})

test('flapping: failing every other attempt writes about one failure and one recovery line per interval, every failure counted', () => {
  const { logger, lines } = captureLog()
  const f = new FailureLog(logger, 'engine failed', 10_000)
  // An engine that fails every other 2 s slot for 200 s: 50 failures, 50 successes (100 lines before).
  for (let slot = 0; slot < 100; slot++) {
    if (slot % 2 === 0) f.failure(new Error('down'), {}, slot * 2000)
    else f.success({}, slot * 2000)
  }
  // At most a failure line and its recovery per 10 s interval: 20 intervals.
  assert.ok(lines.length <= 2 * 20, `${lines.length} lines`)
  assert.ok(lines.length >= 2, `${lines.length} lines`)
  // Nothing lost: a failure after the interval carries the ones counted since the last line.
  f.failure(new Error('down'), {}, 400_000)
  const warns = lines.filter((l) => l.level === 40)
  const recoveries = lines.filter((l) => l.level === 30)
  assert.is(
    warns.reduce((n, l) => n + (l.failures as number), 0),
    51,
  )
  // A recovery line only for a streak whose failure was logged, right after it.
  assert.is(recoveries.length, warns.length - 1)
  lines.slice(0, -1).forEach((l, i) => {
    assert.is(l.level, i % 2 === 0 ? 40 : 30, `line ${i}`)
  })
})

test('a new streak within an interval of the last line is counted into the next line; its recovery is not logged', () => {
  const { logger, lines } = captureLog()
  const f = new FailureLog(logger, 'rpc failed', 1000)
  f.failure('a', {}, 0)
  f.success({}, 100)
  f.failure('b', {}, 200)
  f.success({}, 300)
  f.failure('c', {}, 400)
  assert.equal(
    lines.map((l) => [l.msg, l.failures]),
    [
      ['rpc failed', 1],
      ['rpc failed: recovered', 1],
    ],
  )
  f.failure('d', {}, 1100)
  f.success({}, 1200)
  assert.equal(
    lines.slice(2).map((l) => [l.msg, l.failures]),
    [
      ['rpc failed', 3],
      ['rpc failed: recovered', 2],
    ],
  )
  assert.is(lines[2]!.consecutive, 2, 'the streak in progress: c and d')
})

test('flush: failures of an unlogged streak that has since recovered are still written', () => {
  const { logger, lines } = captureLog()
  const f = new FailureLog(logger, 'burst', 60_000, { flush: true })
  f.failure('a')
  f.success()
  f.failure('b')
  f.success()
  f.close()
  assert.equal(
    lines.map((l) => [l.msg, l.failures]),
    [
      ['burst', 1],
      ['burst: recovered', 1],
      ['burst', 1],
    ],
  )
})

test.run()
