import type { Indexer } from '../../src/logindex/index.js'

const EVENTS = ['commit', 'reorg', 'ready', 'cross-unsafe', 'prune'] as const

/**
 * Resolves once `condition()` holds, re-checking after every indexer event (no polling, no sleeps).
 * Rejects after `timeoutMs` with `what` in the message so a hung test says what it waited for.
 */
export function untilIndexed(
  indexer: Indexer,
  what: string,
  condition: () => boolean,
  timeoutMs = 20_000,
): Promise<void> {
  if (condition()) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const check = () => {
      let ok = false
      try {
        ok = condition()
      } catch (err) {
        done()
        reject(err)
        return
      }
      if (!ok) return
      done()
      resolve()
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`))
    }, timeoutMs)
    const done = () => {
      clearTimeout(timer)
      for (const e of EVENTS) indexer.off(e, check)
    }
    for (const e of EVENTS) indexer.on(e, check)
  })
}
