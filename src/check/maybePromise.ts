/** A value a backend may have at hand (index: SQLite, RPC cache hit) or have to fetch (RPC miss). */
export type MaybePromise<T> = T | Promise<T>

/** Applies `fn` to a MaybePromise without forcing a microtask when the value is already there. */
export function then<T, U>(value: MaybePromise<T>, fn: (v: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(fn) : fn(value)
}

/**
 * Steps of a check are written once as a generator that `yield*`s `wait(x)` for every backend
 * answer. `drive` runs it synchronously for as long as the answers are plain values (the index
 * backend, a warm RPC cache) and only switches to async at the first promise. So the index
 * backend answers a check in one synchronous call (sweep workers rely on that), and the RPC
 * backend shares the exact same ordering of checks.
 */
// biome-ignore lint/suspicious/noExplicitAny: TNext is `any` on purpose: drive() feeds back exactly what was yielded, awaited.
export function* wait<T>(value: MaybePromise<T>): Generator<MaybePromise<T>, T, any> {
  return (yield value) as T
}

export function drive<T>(gen: Generator<unknown, T, unknown>): MaybePromise<T> {
  let step = gen.next()
  while (!step.done) {
    if (step.value instanceof Promise) return finish(gen, step.value)
    step = gen.next(step.value)
  }
  return step.value
}

async function finish<T>(gen: Generator<unknown, T, unknown>, pending: Promise<unknown>): Promise<T> {
  let step: IteratorResult<unknown, T>
  try {
    step = gen.next(await pending)
  } catch (err) {
    step = gen.throw(err)
  }
  while (!step.done) {
    try {
      step = gen.next(await step.value)
    } catch (err) {
      step = gen.throw(err)
    }
  }
  return step.value
}
