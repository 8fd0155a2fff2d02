/**
 * A per-key rate limit: in memory (`SenderRateLimiter`, one process) or in Redis
 * (`RedisRateLimiter`, shared by ingress replicas).
 */
export interface RateLimiter {
  readonly limit: number
  readonly intervalMs: number
  /**
   * Counts one use of `key`; false when the key is over its limit in the current window. Over Redis
   * a store that cannot answer either allows (fail open) or throws `StoreUnavailableError` (closed).
   */
  take(key: string): boolean | Promise<boolean>
}
