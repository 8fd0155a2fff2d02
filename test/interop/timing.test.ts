import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { EXPIRY_WINDOW_S, MAX_UINT64, PREVERIFIER_TIMEOUT_S, timingViolation } from '../../src/interop/index.js'

const W = EXPIRY_WINDOW_S
const init = 1_746_536_469n

test('the expiry window is 7 days and the pre-verifier timeout 1 day', () => {
  assert.is(W, 604_800n)
  assert.is(PREVERIFIER_TIMEOUT_S, 86_400n)
})

test('exec before init breaks the timestamp invariant', () => {
  assert.is(
    timingViolation(init - 1n, 0n, init, W),
    `message broke timestamp invariant: exec: ${init - 1n}, init: ${init}`,
  )
})

test('exec == init is refused in the filter words; allowed with allowSameTimestamp', () => {
  const refused = `initiating message timestamp ${init} not before inclusion timestamp ${init}`
  assert.is(timingViolation(init, 0n, init, W), refused)
  assert.is(timingViolation(init, 5n, init, W), refused)
  assert.is(timingViolation(init, 0n, init, W, true), undefined)
})

test('exec = init + 1 is the first valid second', () => {
  assert.is(timingViolation(init + 1n, 0n, init, W), undefined)
})

test('exec = init + window is still valid; one second later it has expired', () => {
  assert.is(timingViolation(init + W, 0n, init, W), undefined)
  assert.is(
    timingViolation(init + W + 1n, 0n, init, W),
    `cannot message execute at ${init + W + 1n}, message expired at ${init + W}`,
  )
})

test('timeout: exec + timeout = init + window passes, one more second fails', () => {
  const exec = init + 100n
  const t = init + W - exec
  assert.is(timingViolation(exec, t, init, W), undefined)
  assert.is(
    timingViolation(exec, t + 1n, init, W),
    `cannot execute message at timeout ${init + W + 1n}, expired at ${init + W}`,
  )
})

test('timeout 0 means no look-ahead', () => {
  assert.is(timingViolation(init + W, 0n, init, W), undefined)
  assert.is(
    timingViolation(init + W, 1n, init, W),
    `cannot execute message at timeout ${init + W + 1n}, expired at ${init + W}`,
  )
})

test('a pre-verifier timeout rejects messages that expire within a day', () => {
  assert.is(timingViolation(init + W - PREVERIFIER_TIMEOUT_S, PREVERIFIER_TIMEOUT_S, init, W), undefined)
  assert.ok(timingViolation(init + W - PREVERIFIER_TIMEOUT_S + 1n, PREVERIFIER_TIMEOUT_S, init, W))
})

test('init + window overflowing uint64 is refused', () => {
  const high = MAX_UINT64 - W + 1n
  assert.is(timingViolation(high + 1n, 0n, high, W), 'message timestamp too high, overflows')
  assert.is(timingViolation(MAX_UINT64, 0n, MAX_UINT64 - 1n, W), 'message timestamp too high, overflows')
  // exactly at the limit there is no overflow
  assert.is(timingViolation(MAX_UINT64, 0n, MAX_UINT64 - W, W), undefined)
})

test('a custom window is honoured', () => {
  assert.is(timingViolation(init + 10n, 0n, init, 10n), undefined)
  assert.ok(timingViolation(init + 11n, 0n, init, 10n))
})

test.run()
