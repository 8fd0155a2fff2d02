/**
 * A bounded map that forgets the least recently used entry beyond `max` and any entry older
 * than `ttlMs` (checked on read). Map iteration order is insertion order, so re-inserting on
 * read keeps the oldest entry first: O(1) per operation, no timers.
 */
export class LruCache<K, V> {
  readonly #max: number
  readonly #ttlMs: number
  readonly #now: () => number
  readonly #map = new Map<K, { value: V; expiresAt: number }>()

  constructor(max: number, ttlMs: number, now: () => number = () => performance.now()) {
    if (!(max >= 1)) throw new RangeError('LruCache max must be at least 1')
    this.#max = max
    this.#ttlMs = ttlMs
    this.#now = now
  }

  get size(): number {
    return this.#map.size
  }

  get(key: K): V | undefined {
    const e = this.#map.get(key)
    if (!e) return undefined
    this.#map.delete(key)
    if (e.expiresAt <= this.#now()) return undefined
    this.#map.set(key, e)
    return e.value
  }

  /** Like get, without refreshing recency. */
  peek(key: K): V | undefined {
    const e = this.#map.get(key)
    return e && e.expiresAt > this.#now() ? e.value : undefined
  }

  set(key: K, value: V): void {
    this.#map.delete(key)
    this.#map.set(key, { value, expiresAt: this.#now() + this.#ttlMs })
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as K)
  }

  /** Replaces the value, keeping the entry's age; no-op when the key is gone. */
  replace(key: K, value: V): void {
    const e = this.#map.get(key)
    if (e) e.value = value
  }

  delete(key: K): void {
    this.#map.delete(key)
  }

  clear(): void {
    this.#map.clear()
  }
}
