import type { Logger } from 'pino'
import type { Closers } from './closers.js'
import type { DevnetConfig } from './options.js'
import type { DevnetStats } from './stats.js'

/** What every part of the small devnet is started with. */
export type StackContext = {
  config: DevnetConfig
  logger: Logger
  print: (line: string) => void
  closers: Closers
  stats: DevnetStats
  dataDir: string
}

/** Starts every part at once; each one that started is registered with `closers`, and the first failure is thrown. */
export async function startAll<T>(
  closers: Closers,
  what: string,
  starts: (() => Promise<T>)[],
  close: (t: T) => unknown,
): Promise<T[]> {
  const settled = await Promise.allSettled(starts.map((s) => s()))
  for (const r of settled) if (r.status === 'fulfilled') closers.add(what, () => close(r.value))
  const failed = settled.find((r) => r.status === 'rejected')
  if (failed) throw failed.reason
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value)
}
