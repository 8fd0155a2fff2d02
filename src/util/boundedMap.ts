/**
 * A map that keeps at most `max` entries and forgets the oldest first (Map iteration is insertion
 * order: O(1) per operation, no timers). One type for the five bounded maps the roles had:
 *  - `set` (re)inserts as newest; `add` inserts only a new key and keeps the first value and its place;
 *  - `refreshOnGet` makes `get` move the entry to newest (least-recently-used eviction; `peek` never moves);
 *  - `ttlMs` expires entries on read (`has`, `get`, `peek`); `replace` keeps an entry's place and age.
 */
export class BoundedMap<K, V> implements Iterable<[K, V]> {
  readonly max: number
  readonly #ttlMs: number | undefined
  readonly #now: () => number
  readonly #refresh: boolean
  readonly #map = new Map<K, { value: V; expiresAt: number }>()

  constructor(max: number, o: { ttlMs?: number; now?: () => number; refreshOnGet?: boolean } = {}) {
    if (!(max >= 1)) throw new RangeError('BoundedMap max must be at least 1')
    this.max = max
    this.#ttlMs = o.ttlMs
    this.#now = o.now ?? (() => performance.now())
    this.#refresh = o.refreshOnGet ?? false
  }

  get size(): number {
    return this.#map.size
  }

  has(key: K): boolean {
    return this.#live(key) !== undefined
  }

  get(key: K): V | undefined {
    const e = this.#live(key)
    if (e && this.#refresh) {
      this.#map.delete(key)
      this.#map.set(key, e)
    }
    return e?.value
  }

  /** Like get, without refreshing recency. */
  peek(key: K): V | undefined {
    return this.#live(key)?.value
  }

  /** Inserts or overwrites; the key becomes the newest, and the oldest entries go beyond `max`. */
  set(key: K, value: V): this {
    this.#map.delete(key)
    this.#map.set(key, { value, expiresAt: this.#ttlMs === undefined ? Infinity : this.#now() + this.#ttlMs })
    while (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as K)
    return this
  }

  /** Inserts a new key only (the first value and its place stay); false when the key is present. */
  add(key: K, value: V): boolean {
    if (this.#live(key)) return false
    this.set(key, value)
    return true
  }

  /** Replaces the value, keeping the entry's place and age; no-op when the key is gone. */
  replace(key: K, value: V): void {
    const e = this.#map.get(key)
    if (e) e.value = value
  }

  delete(key: K): boolean {
    return this.#map.delete(key)
  }

  clear(): void {
    this.#map.clear()
  }

  /** Oldest first. */
  *entries(): IterableIterator<[K, V]> {
    for (const [k, e] of this.#map) yield [k, e.value]
  }

  keys(): IterableIterator<K> {
    return this.#map.keys()
  }

  *values(): IterableIterator<V> {
    for (const e of this.#map.values()) yield e.value
  }

  /** Every value, oldest first, in a new array: a plain loop (spreading `values()` resumes a generator per entry). */
  valuesArray(): V[] {
    const out = new Array<V>(this.#map.size)
    let i = 0
    for (const e of this.#map.values()) out[i++] = e.value
    return out
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries()
  }

  #live(key: K): { value: V; expiresAt: number } | undefined {
    const e = this.#map.get(key)
    if (!e) return undefined
    if (e.expiresAt <= this.#now()) {
      this.#map.delete(key)
      return undefined
    }
    return e
  }
}
