import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RangePlanner } from '../../src/logindex/rangePlanner.js'

test('grows on light full ranges, shrinks on errors and heavy results, stays in bounds', () => {
  const p = new RangePlanner({ initial: 100, max: 400, targetLogs: 1000 })
  assert.is(p.end(10n, 1000n), 109n)
  assert.is(p.end(10n, 50n), 50n, 'never past the target')
  p.success(100, 10)
  assert.is(p.size, 200)
  p.success(50, 10)
  assert.is(p.size, 200, 'a short (tail) range says nothing about size')
  p.success(200, 10)
  p.success(400, 10)
  assert.is(p.size, 400, 'capped')
  p.success(400, 5000)
  assert.is(p.size, 200, 'too many logs')
  assert.ok(p.failure())
  assert.is(p.size, 100)
  p.success(100, 10)
  assert.is(p.size, 199, 'grows no further than below the size that failed')
  p.success(199, 10)
  assert.is(p.size, 199)
  for (let i = 0; i < RangePlanner.CEILING_RESET_AFTER; i++) p.success(p.size, 10)
  assert.is(p.size, 400, 'the ceiling lifts after a run of successes')
  const tiny = new RangePlanner({ initial: 1 })
  assert.not.ok(tiny.failure(), 'at the minimum the error is not about size')
})

test.run()
