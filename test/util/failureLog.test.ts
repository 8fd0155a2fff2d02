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

test.run()
