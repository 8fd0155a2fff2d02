import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CircuitBreaker } from '../../src/sequencer/circuitBreaker.js'
import { nextSlot, proxyTiming, standaloneTiming } from '../../src/sequencer/timing.js'
import { backoffMs } from '../../src/util/failureLog.js'

test('opens after threshold invalid blocks in a row, for the cool-down', () => {
  const b = new CircuitBreaker({ threshold: 3, cooldownMs: 1000 })
  assert.is(b.recordInvalid(0), false)
  assert.is(b.recordInvalid(1), false)
  assert.is(b.state(1), 'closed')
  assert.is(b.recordInvalid(2), true)
  assert.is(b.state(3), 'open')
  assert.is(b.allows(1001), false)
  assert.is(b.allows(1002), true)
  assert.is(b.state(1002), 'half_open')
  assert.is(b.trips, 1)
})

test('a valid block resets the count', () => {
  const b = new CircuitBreaker({ threshold: 2, cooldownMs: 1000 })
  b.recordInvalid(0)
  b.recordValid()
  assert.is(b.recordInvalid(1), false)
  assert.is(b.state(1), 'closed')
})

test('half-open: one invalid block reopens at once, one valid closes', () => {
  const b = new CircuitBreaker({ threshold: 2, cooldownMs: 100 })
  b.recordInvalid(0)
  b.recordInvalid(0)
  assert.is(b.state(50), 'open')
  assert.is(b.recordInvalid(50), false, 'failures while open do not extend it')
  assert.is(b.recordInvalid(100), true)
  assert.is(b.state(150), 'open')
  assert.is(b.state(200), 'half_open')
  b.recordValid()
  assert.is(b.state(200), 'closed')
  assert.is(b.recordInvalid(201), false)
})

test('proxy timing: seal = timestamp − lead, deadline = seal − budget, notice before', () => {
  assert.equal(proxyTiming(100n, { sealLeadMs: 50, validationBudgetMs: 150, noticeMs: 300 }), {
    sealAt: 99_950,
    deadline: 99_800,
    noticeAt: 99_500,
  })
})

test('standalone timing and timestamps', () => {
  assert.equal(standaloneTiming(10_000, { sealLeadMs: 50, validationBudgetMs: 150, noticeMs: 300 }), {
    sealAt: 9_950,
    deadline: 9_800,
    noticeAt: 9_500,
  })
})

test('standalone slots follow the wall clock, never the number of attempts', () => {
  // Anchor (head timestamp) 100 s, 1 s blocks: the slot after now=100.2 s ends at 101 s (timestamp 101).
  assert.equal(nextSlot(100_000, 1000, 100_200, 100n), { end: 101_000, timestamp: 101n })
  // Less than half a block left: the following slot.
  assert.equal(nextSlot(100_000, 1000, 100_600, 100n), { end: 102_000, timestamp: 102n })
  // Any number of failed attempts at the same time give the same slot: the clock only moves with now.
  for (let i = 0; i < 3; i++) assert.equal(nextSlot(100_000, 1000, 100_200, 100n), { end: 101_000, timestamp: 101n })
  // After an outage the slot is the one around now, not one per failed attempt.
  assert.equal(nextSlot(100_000, 1000, 3_600_000, 101n), { end: 3_601_000, timestamp: 3_601n })
  // A head far behind (genesis in the past): straight to the wall clock.
  assert.equal(nextSlot(5_000, 2000, 100_000, 5n), { end: 101_000, timestamp: 101n })
  // Sub-second blocks: a slot whose whole second is not past the parent is skipped (one block per second).
  assert.equal(nextSlot(100_000, 400, 100_100, 100n), { end: 101_200, timestamp: 101n })
  assert.equal(nextSlot(100_000, 400, 101_000, 101n), { end: 102_000, timestamp: 102n })
  // A parent timestamped in the future waits for the wall clock.
  assert.equal(nextSlot(100_000, 1000, 100_200, 500n), { end: 501_000, timestamp: 501n })
  // Never more than one block time ahead of the slot's start.
  for (const [bt, now] of [
    [1000, 123_456],
    [2000, 99_999],
    [400, 250_321],
    [1500, 77_777],
  ] as const) {
    const s = nextSlot(10_000, bt, now, 0n)
    assert.ok(Number(s.timestamp) * 1000 <= s.end && s.end - bt <= now + bt / 2 + bt)
  }
})

test('backoff: doubles from the base up to the cap, jittered into the upper half', () => {
  assert.is(
    backoffMs(1, 100, 1000, () => 0),
    50,
  )
  assert.is(
    backoffMs(1, 100, 1000, () => 1),
    100,
  )
  assert.is(
    backoffMs(3, 100, 1000, () => 1),
    400,
  )
  assert.is(
    backoffMs(10, 100, 1000, () => 1),
    1000,
  )
  assert.is(
    backoffMs(10_000, 100, 1000, () => 0.5),
    750,
  )
})

test.run()
