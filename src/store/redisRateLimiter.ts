import type { RateLimiter } from './rateLimiter.js'
import type { RedisLink } from './redisLink.js'

/** INCR the window's counter; the first use of a window sets its expiry, so keys never outlive it. */
const TAKE = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`

type ScriptedRedis = { superguardTake(key: string, ttlMs: number): Promise<number> }

export type RedisRateLimiterOptions = {
  limit: number
  intervalMs: number
  /** Namespace of the keys (the chain id), so ingresses of different chains can share one Redis. */
  scope: string
  /** Allow when Redis cannot answer (true), or refuse with StoreUnavailableError (false, the default). */
  failOpen?: boolean
  now?: () => number
}

/**
 * The fixed-window per-key limit of `SenderRateLimiter`, counted in Redis so that every ingress
 * replica shares it (as proxyd's RedisFrontendRateLimiter: one counter per key and window,
 * `superguard:rate:<scope>:<key>:<window number>`, expiring with its window). One script call
 * (EVALSHA: one round trip, atomic) per take; concurrent takes share a pipeline.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly limit: number
  readonly intervalMs: number
  readonly #link: RedisLink
  readonly #o: RedisRateLimiterOptions
  readonly #now: () => number

  constructor(link: RedisLink, o: RedisRateLimiterOptions) {
    if (!(o.limit > 0) || !(o.intervalMs > 0)) throw new RangeError('rate limit and interval must be positive')
    this.limit = o.limit
    this.intervalMs = o.intervalMs
    this.#link = link
    this.#o = o
    this.#now = o.now ?? Date.now
    link.client.defineCommand('superguardTake', { numberOfKeys: 1, lua: TAKE })
  }

  async take(key: string): Promise<boolean> {
    const window = Math.floor(this.#now() / this.intervalMs)
    const k = `superguard:rate:${this.#o.scope}:${key.toLowerCase()}:${window}`
    try {
      const used = await this.#link.run('rate_limit', 'rate limit', (r) =>
        (r as unknown as ScriptedRedis).superguardTake(k, this.intervalMs),
      )
      return used <= this.limit
    } catch (err) {
      if (this.#o.failOpen) return true
      throw err
    }
  }
}
