/** Thrown (as a rejection) when the queue is full: the upstream is saturated, shed load. */
export class LimiterFullError extends Error {
  override name = 'LimiterFullError'
}

export type Limiter = {
  <T>(task: () => Promise<T>): Promise<T>
  readonly active: number
  readonly queued: number
}

/**
 * Runs at most `concurrency` tasks at once and queues at most `maxQueue` more; beyond that a
 * task is refused at once instead of piling up memory and latency behind a slow RPC.
 * A finishing task hands its slot straight to the next queued one, so the bound is exact.
 */
export function createLimiter(concurrency: number, maxQueue: number): Limiter {
  let active = 0
  const queue: (() => void)[] = []
  const release = () => {
    const waiter = queue.shift()
    if (waiter) waiter()
    else active--
  }
  const start = <T>(task: () => Promise<T>): Promise<T> => {
    let p: Promise<T>
    try {
      p = task()
    } catch (err) {
      p = Promise.reject(err)
    }
    return p.finally(release)
  }
  const run = <T>(task: () => Promise<T>): Promise<T> => {
    if (active < concurrency) {
      active++
      return start(task)
    }
    if (queue.length >= maxQueue) return Promise.reject(new LimiterFullError(`more than ${maxQueue} requests queued`))
    return new Promise<void>((resolve) => queue.push(resolve)).then(() => start(task))
  }
  return Object.defineProperties(run, {
    active: { get: () => active },
    queued: { get: () => queue.length },
  }) as Limiter
}
