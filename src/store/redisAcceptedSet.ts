import type { Hex } from '../interop/index.js'
import type { AcceptedStore, AcceptedTx } from './acceptedStore.js'
import type { RedisLink } from './redisLink.js'

/**
 * Adds a transaction unless known, then trims the oldest (by first-seen) past the bound; returns
 * [1 if added, size]. One script, so two replicas adding at once never overshoot the bound.
 */
const ADD = `if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return {0, redis.call('ZCARD', KEYS[2])}
end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local n = redis.call('ZCARD', KEYS[2])
local max = tonumber(ARGV[4])
if n > max then
  local old = redis.call('ZPOPMIN', KEYS[2], n - max)
  for i = 1, #old, 2 do redis.call('HDEL', KEYS[1], old[i]) end
  n = max
end
return {1, n}`

type ScriptedRedis = {
  superguardAccept(
    hash: string,
    seen: string,
    tx: string,
    json: string,
    firstSeen: number,
    max: number,
  ): Promise<[number, number]>
}

type Stored = { raw: Hex; inboxEntries: Hex[]; firstSeen: number }

/**
 * The accepted set in Redis, shared by every ingress replica of a chain and read by a sweep in any
 * process: a hash `superguard:{accepted:<chain>}` (transaction hash → JSON of raw, entries and
 * first-seen) and a sorted set `superguard:{accepted:<chain>}:seen` (by first-seen) that bounds it,
 * oldest first, as the in-memory set does. The braces keep both keys in one cluster slot.
 *
 * Never throws from `add` (the transaction is already forwarded when it is remembered: a Redis that
 * is down costs the sweep's view of it, counted in `redis_errors_total{op="accepted_add"}`); the
 * reads and `delete` throw StoreUnavailableError, which fails a sweep round (kept for the next).
 */
export class RedisAcceptedSet implements AcceptedStore {
  readonly maxSize: number
  readonly #link: RedisLink
  readonly #hash: string
  readonly #seen: string
  #size = 0

  constructor(link: RedisLink, o: { scope: string; maxSize?: number }) {
    this.maxSize = o.maxSize ?? 100_000
    this.#link = link
    this.#hash = `superguard:{accepted:${o.scope}}`
    this.#seen = `${this.#hash}:seen`
    link.client.defineCommand('superguardAccept', { numberOfKeys: 2, lua: ADD })
  }

  get size(): number {
    return this.#size
  }

  async add(tx: AcceptedTx): Promise<boolean> {
    const json = JSON.stringify({
      raw: tx.raw,
      inboxEntries: tx.inboxEntries,
      firstSeen: tx.firstSeen,
    } satisfies Stored)
    try {
      const [added, size] = await this.#link.run('accepted_add', 'accepted set', (r) =>
        (r as unknown as ScriptedRedis).superguardAccept(
          this.#hash,
          this.#seen,
          tx.hash,
          json,
          tx.firstSeen,
          this.maxSize,
        ),
      )
      this.#size = size
      return added === 1
    } catch {
      return false
    }
  }

  async get(hash: Hex): Promise<AcceptedTx | undefined> {
    const json = await this.#link.run('accepted_get', 'accepted set', (r) => r.hget(this.#hash, hash))
    return json === null ? undefined : parse(hash, json)
  }

  async delete(hash: Hex): Promise<boolean> {
    const [removed] = await this.#link.run('accepted_delete', 'accepted set', (r) =>
      Promise.all([r.hdel(this.#hash, hash), r.zrem(this.#seen, hash)]),
    )
    if (removed > 0) this.#size = Math.max(0, this.#size - 1)
    return removed > 0
  }

  async snapshot(): Promise<AcceptedTx[]> {
    const all = await this.#link.run('accepted_snapshot', 'accepted set', (r) => r.hgetall(this.#hash))
    const out: AcceptedTx[] = []
    for (const [hash, json] of Object.entries(all)) {
      const tx = parse(hash as Hex, json)
      if (tx) out.push(tx)
    }
    this.#size = out.length
    return out
  }
}

/** A stored entry, or undefined for one that is not ours (another writer's key): skipped, never fatal. */
function parse(hash: Hex, json: string): AcceptedTx | undefined {
  try {
    const s = JSON.parse(json) as Stored
    if (typeof s.raw !== 'string' || !Array.isArray(s.inboxEntries) || typeof s.firstSeen !== 'number') return undefined
    return { hash, raw: s.raw, inboxEntries: s.inboxEntries, firstSeen: s.firstSeen }
  } catch {
    return undefined
  }
}
