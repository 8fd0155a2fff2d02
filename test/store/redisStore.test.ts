import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Hex } from '../../src/interop/index.js'
import {
  AcceptedSet,
  type AcceptedStore,
  RedisAcceptedSet,
  RedisLink,
  RedisRateLimiter,
  StoreUnavailableError,
} from '../../src/store/index.js'
import { createLogger } from '../../src/util/logger.js'
import { type RedisServer, startRedisServer } from '../_helpers/redisServer.js'

// The two implementations of each store against one real redis-server: the same answers.
const logger = createLogger('silent')
let redis: RedisServer
const links: RedisLink[] = []
const open = async (timeoutMs = 200) => {
  const l = await RedisLink.open({ url: redis.url, timeoutMs, log: logger })
  links.push(l)
  return l
}
const tx = (i: number, firstSeen = 1000 + i) => ({
  hash: `0x${i.toString(16).padStart(64, '0')}` as Hex,
  raw: `0x0${i}` as Hex,
  inboxEntries: [`0x${'01'.repeat(32)}` as Hex],
  firstSeen,
})

test.before(async () => {
  redis = await startRedisServer()
})

test('the accepted set in Redis behaves as the one in memory: first seen kept, oldest trimmed, delete', async () => {
  const sets: AcceptedStore[] = [new AcceptedSet(3), new RedisAcceptedSet(await open(), { scope: 't1', maxSize: 3 })]
  for (const set of sets) {
    assert.is(await set.add(tx(1)), true)
    assert.is(await set.add(tx(1, 9999)), false, 'known: first seen kept')
    for (const i of [2, 3, 4]) await set.add(tx(i))
    const hashes = (await set.snapshot()).map((t) => t.hash).sort()
    assert.equal(hashes, [tx(2).hash, tx(3).hash, tx(4).hash], 'the oldest went first')
    assert.is(set.size, 3)
    assert.equal(await set.get(tx(3).hash), tx(3))
    assert.is(await set.delete(tx(3).hash), true)
    assert.is(await set.delete(tx(3).hash), false)
    assert.is(await set.get(tx(3).hash), undefined)
  }
  // Another process's view of the same scope is the same set.
  const other = new RedisAcceptedSet(await open(), { scope: 't1', maxSize: 3 })
  assert.equal((await other.snapshot()).map((t) => t.hash).sort(), [tx(2).hash, tx(4).hash])
})

test('one window per key shared by limiters on separate connections; a new window starts afresh', async () => {
  let now = 3_600_000
  const mk = async () => new RedisRateLimiter(await open(), { limit: 2, intervalMs: 1000, scope: 't2', now: () => now })
  const [a, b] = [await mk(), await mk()]
  assert.equal(
    [await a.take('0xAB'), await b.take('0xab'), await a.take('0xab'), await b.take('0xcd')],
    [true, true, false, true],
  )
  now += 1000
  assert.is(await b.take('0xab'), true)
})

test('a hung Redis answers within the command timeout: closed throws StoreUnavailableError, open allows', async () => {
  const closed = new RedisRateLimiter(await open(150), { limit: 5, intervalMs: 60_000, scope: 't3' })
  const failOpen = new RedisRateLimiter(await open(150), { limit: 5, intervalMs: 60_000, scope: 't3', failOpen: true })
  const set = new RedisAcceptedSet(await open(150), { scope: 't3' })
  redis.pause()
  try {
    const err = await Promise.resolve(closed.take('x')).catch((e: unknown) => e)
    assert.instance(err, StoreUnavailableError)
    assert.is((err as StoreUnavailableError).message, 'rate limit unavailable')
    assert.is(await failOpen.take('x'), true)
    assert.is(await set.add(tx(9)), false, 'add never throws')
    assert.instance(await Promise.resolve(set.snapshot()).catch((e: unknown) => e), StoreUnavailableError)
  } finally {
    redis.resume()
  }
})

test.after(async () => {
  await Promise.all(links.map((l) => l.close()))
  await redis.stop()
})

test.run()
