import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CircuitBreaker } from '../../src/sequencer/circuitBreaker.js'
import { proxyTiming, standaloneTimestamp, standaloneTiming } from '../../src/sequencer/timing.js'

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
  assert.equal(proxyTiming(100n, { sealLeadMs: 50, validationBudgetMs: 150, noticeMs: 300 }), { sealAt: 99_950, deadline: 99_800, noticeAt: 99_500 })
})

test('standalone timing and timestamps', () => {
  assert.equal(standaloneTiming(10_000, { sealLeadMs: 50, validationBudgetMs: 150, noticeMs: 300 }), { sealAt: 9_950, deadline: 9_800, noticeAt: 9_500 })
  assert.is(standaloneTimestamp(5n, 10_000), 10n)
  assert.is(standaloneTimestamp(10n, 10_000), 11n)
  assert.is(standaloneTimestamp(20n, 10_400), 21n)
})

test.run()
