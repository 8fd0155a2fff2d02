import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SenderRateLimiter } from '../../src/store/senderRateLimiter.js'

test('at most `limit` per key per window; a new window starts afresh', () => {
  let now = 10_000
  const l = new SenderRateLimiter(2, 1000, () => now)
  assert.equal([l.take('a'), l.take('a'), l.take('a'), l.take('b')], [true, true, false, true])
  now += 999 - (now % 1000)
  assert.is(l.take('a'), false, 'same window')
  now += 1
  assert.equal([l.take('a'), l.take('a'), l.take('a')], [true, true, false])
  assert.throws(() => new SenderRateLimiter(0, 1000))
})

test.run()
