import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { BoundedMap } from '../../src/util/boundedMap.js'

test('set: a new key is newest; beyond max the oldest goes; a re-set key moves to newest', () => {
  const m = new BoundedMap<string, number>(3)
  m.set('a', 1).set('b', 2).set('c', 3)
  m.set('a', 10)
  m.set('d', 4)
  assert.equal(
    [...m],
    [
      ['c', 3],
      ['a', 10],
      ['d', 4],
    ],
  )
  assert.is(m.size, 3)
  assert.is(m.has('b'), false)
})

test('add: only a new key, keeping the first value and its place; false when present', () => {
  const m = new BoundedMap<string, number>(2)
  assert.is(m.add('a', 1), true)
  assert.is(m.add('b', 2), true)
  assert.is(m.add('a', 9), false)
  assert.is(m.get('a'), 1)
  assert.is(m.add('c', 3), true)
  assert.equal([...m.keys()], ['b', 'c'])
})

test('get moves to newest only with refreshOnGet; peek never does', () => {
  const plain = new BoundedMap<string, number>(2)
  plain.set('a', 1).set('b', 2)
  plain.get('a')
  plain.set('c', 3)
  assert.equal([...plain.keys()], ['b', 'c'])

  const lru = new BoundedMap<string, number>(2, { refreshOnGet: true })
  lru.set('a', 1).set('b', 2)
  lru.peek('a')
  lru.get('b')
  lru.get('a')
  lru.set('c', 3)
  assert.equal([...lru.keys()], ['a', 'c'])
})

test('ttlMs: entries expire on read; replace keeps place and age; delete and clear', () => {
  let now = 0
  const m = new BoundedMap<string, number>(4, { ttlMs: 100, now: () => now })
  m.set('a', 1)
  now = 60
  m.set('b', 2)
  m.replace('a', 5)
  m.replace('zz', 7)
  assert.equal(
    [...m.entries()],
    [
      ['a', 5],
      ['b', 2],
    ],
  )
  now = 100
  assert.is(m.has('a'), false)
  assert.is(m.peek('b'), 2)
  assert.is(m.add('a', 6), true)
  now = 160
  assert.is(m.get('b'), undefined)
  assert.equal([...m.values()], [6])
  assert.equal(m.valuesArray(), [6])
  assert.is(m.delete('a'), true)
  assert.is(m.delete('a'), false)
  m.set('x', 1)
  m.clear()
  assert.is(m.size, 0)
})

test('max below 1 is refused', () => {
  assert.throws(() => new BoundedMap(0), /at least 1/)
})

test.run()
