import type { SafetyLevel } from '../interop/index.js'
import type { ChainStatus, HeadLevel, LogReader } from '../logindex/types.js'
import type { Backend, ChainHeads } from './backend.js'

/** The index head a safety level is read from: local-safe reads `safe` (the chain's own tag). */
const HEAD_OF: Record<Exclude<SafetyLevel, 'unsafe'>, HeadLevel> = {
  'cross-unsafe': 'cross-unsafe',
  'local-safe': 'safe',
  safe: 'safe',
  finalized: 'finalized',
}

/**
 * The index backend: every answer is one synchronous SQLite look-up through the LogReader.
 * `cross-unsafe` is the index's head pointer: the highest block up to which every executing
 * message (transitively) checked out, so a block is cross-unsafe only if all blocks before it are.
 */
export function createIndexBackend(reader: LogReader, opts: { status: () => ChainStatus[]; close?: () => Promise<void> }): Backend {
  const chains = reader.chains()
  const known = new Set(chains)
  return {
    kind: 'index',
    chains: () => chains,
    hasChain: (chainId) => known.has(chainId),
    isReady: (chainId) => reader.isReady(chainId),
    latest: (chainId) => reader.head(chainId, 'unsafe')?.number,
    // A block the index does not hold at all (pruned, or before the backfill started) is not
    // evidence against the message: answer "not available" (transient), never a conflict.
    findLog: (chainId, blockNumber, logIndex) => reader.findLog(chainId, blockNumber, logIndex) ?? (reader.block(chainId, blockNumber) ? 'no-log' : 'no-block'),
    reached(chainId, blockNumber, level) {
      const head = reader.head(chainId, HEAD_OF[level])
      return head !== undefined && blockNumber <= head.number
    },
    heads: (chainId): ChainHeads => ({
      unsafe: reader.head(chainId, 'unsafe'),
      crossUnsafe: reader.head(chainId, 'cross-unsafe'),
      safe: reader.head(chainId, 'safe'),
      finalized: reader.head(chainId, 'finalized'),
    }),
    snapshot: (fn) => reader.snapshot(fn),
    status: opts.status,
    close: opts.close ?? (async () => {}),
  }
}
