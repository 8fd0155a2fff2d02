import { InternalError } from '../errors/index.js'
import type { SafetyLevel } from '../interop/index.js'
import type { Backend, ChainHeads } from './backend.js'
import type { ChainStatus, HeadLevel, LogReader } from './types.js'

/** The index head a safety level is read from: local-safe reads `safe` (the chain's own tag). */
const HEAD_OF: Record<Exclude<SafetyLevel, 'unsafe'>, HeadLevel> = {
  'cross-unsafe': 'cross-unsafe',
  'local-safe': 'safe',
  safe: 'safe',
  finalized: 'finalized',
}

export type IndexBackendOptions = {
  status: () => ChainStatus[]
  close?: () => Promise<void>
  /** Where storage failures of a look-up are recorded (metric, log, /healthz); without it they are only answered -32603. */
  storage?: { record(op: 'read', err: unknown): unknown } | undefined
}

/**
 * The index backend: every answer is one synchronous SQLite look-up through the LogReader.
 * `cross-unsafe` is the index's head pointer: the highest block up to which every executing
 * message (transitively) checked out, so a block is cross-unsafe only if all blocks before it are.
 *
 * A look-up that fails in SQLite (a corrupt page, an I/O error) is recorded in `storage` and
 * thrown as InternalError: the one check answers -32603 (proxyd counts it as no answer, not a
 * verdict) and the other checks of its batch keep theirs.
 */
export function createIndexBackend(reader: LogReader, opts: IndexBackendOptions): Backend {
  const chains = reader.chains()
  const known = new Set(chains)
  const storage = opts.storage
  const failed = (err: unknown): Error => {
    storage?.record('read', err)
    return new InternalError({ cause: err })
  }
  return {
    kind: 'index',
    chains: () => chains,
    hasChain: (chainId) => known.has(chainId),
    isReady(chainId) {
      try {
        return reader.isReady(chainId)
      } catch (err) {
        throw failed(err)
      }
    },
    latest(chainId) {
      try {
        return reader.head(chainId, 'unsafe')?.number
      } catch (err) {
        throw failed(err)
      }
    },
    // A block the index does not hold at all (pruned, or before the backfill started) is not
    // evidence against the message: answer "not available" (transient), never a conflict.
    findLog(chainId, blockNumber, logIndex) {
      try {
        return (
          reader.findLog(chainId, blockNumber, logIndex) ?? (reader.block(chainId, blockNumber) ? 'no-log' : 'no-block')
        )
      } catch (err) {
        throw failed(err)
      }
    },
    reached(chainId, blockNumber, level) {
      try {
        const head = reader.head(chainId, HEAD_OF[level])
        return head !== undefined && blockNumber <= head.number
      } catch (err) {
        throw failed(err)
      }
    },
    heads(chainId): ChainHeads {
      try {
        return {
          unsafe: reader.head(chainId, 'unsafe'),
          crossUnsafe: reader.head(chainId, 'cross-unsafe'),
          safe: reader.head(chainId, 'safe'),
          finalized: reader.head(chainId, 'finalized'),
        }
      } catch (err) {
        throw failed(err)
      }
    },
    blockHash(chainId, at) {
      try {
        return (at === 'latest' ? reader.head(chainId, 'unsafe') : reader.block(chainId, at))?.hash
      } catch (err) {
        throw failed(err)
      }
    },
    snapshot(fn) {
      // The snapshot is an optimisation (one read transaction per batch), never a reason to fail
      // the batch: when BEGIN or COMMIT fails in SQLite, the batch runs (or keeps its answers) without it.
      let started = false
      let done = false
      let out: ReturnType<typeof fn>
      try {
        return reader.snapshot(() => {
          started = true
          out = fn()
          done = true
          return out
        })
      } catch (err) {
        if (started && !done) throw err // fn's own failure, not the snapshot's: never run it twice
        storage?.record('read', err)
        return done ? out! : fn()
      }
    },
    status: opts.status,
    close: opts.close ?? (async () => {}),
  }
}
