import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { atLeastAsSafe, isSafetyLevel, SAFETY_LEVELS } from '../../src/interop/index.js'

test('the RPC safety labels', () => {
  assert.equal([...SAFETY_LEVELS], ['unsafe', 'cross-unsafe', 'local-safe', 'safe', 'finalized'])
  for (const l of SAFETY_LEVELS) assert.ok(isSafetyLevel(l), l)
})

test('isSafetyLevel refuses everything else, inherited property names included', () => {
  for (const v of [
    'invalid',
    'Unsafe',
    'cross_unsafe',
    'latest',
    '',
    'toString',
    'constructor',
    '__proto__',
    'hasOwnProperty',
    1,
    null,
    undefined,
    {},
  ]) {
    assert.not.ok(isSafetyLevel(v), String(v))
  }
})

test('atLeastAsSafe follows Go order: unsafe < local-safe < cross-unsafe < safe < finalized', () => {
  const order = ['unsafe', 'local-safe', 'cross-unsafe', 'safe', 'finalized'] as const
  for (let i = 0; i < order.length; i++) {
    for (let j = 0; j < order.length; j++)
      assert.is(atLeastAsSafe(order[i]!, order[j]!), i >= j, `${order[i]} >= ${order[j]}`)
  }
})

test.run()
