import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { formatDuration, parseDuration } from '../../src/util/duration.js'

test('parseDuration reads each unit', () => {
  assert.is(parseDuration('250ms'), 250)
  assert.is(parseDuration('2s'), 2_000)
  assert.is(parseDuration('1.5m'), 90_000)
  assert.is(parseDuration('24h'), 86_400_000)
  assert.is(parseDuration('7d'), 604_800_000)
})

test('a bare number is milliseconds; whitespace is tolerated', () => {
  assert.is(parseDuration('1500'), 1500)
  assert.is(parseDuration(' 2 s '), 2000)
  assert.is(parseDuration(0), 0)
  assert.is(parseDuration(42), 42)
  assert.is(parseDuration('0s'), 0)
})

test('fractions round to whole milliseconds', () => {
  assert.is(parseDuration('0.5ms'), 1)
  assert.is(parseDuration('0.0015s'), 2)
})

test('bad input throws a TypeError naming the input', () => {
  for (const bad of ['', 'abc', '2x', '-1s', '1.s', 's', '2 s s', '1e3', '2S', '1h30m']) {
    assert.throws(
      () => parseDuration(bad),
      (e: Error) => e instanceof TypeError && e.message.includes(`"${bad}"`),
      bad,
    )
  }
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY])
    assert.throws(() => parseDuration(bad), TypeError, String(bad))
})

test('formatDuration picks the largest exact unit', () => {
  assert.is(formatDuration(250), '250ms')
  assert.is(formatDuration(2_000), '2s')
  assert.is(formatDuration(90_000), '90s')
  assert.is(formatDuration(120_000), '2m')
  assert.is(formatDuration(86_400_000), '1d')
  assert.is(formatDuration(90_000_000), '25h')
  assert.is(formatDuration(604_800_000), '7d')
  assert.is(formatDuration(0), '0ms')
  assert.is(formatDuration(1_001), '1001ms')
})

test('formatDuration and parseDuration round-trip', () => {
  for (const ms of [0, 1, 250, 2_000, 90_000, 3_600_000, 86_400_000, 604_800_000, 123_456])
    assert.is(parseDuration(formatDuration(ms)), ms)
})

test.run()
