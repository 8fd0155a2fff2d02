import type { Logger } from 'pino'
import { buildIndexedBlocks } from './buildIndexedBlocks.js'
import type { ChainRpc, Header, RawLog } from './chainRpc.js'
import type { IndexedBlock } from './indexedBlock.js'

/** A range as the endpoint sent it, not checked yet (buildRange does). */
export type RawRange = { from: bigint; to: bigint; headers: Header[]; logs: RawLog[] }
/** A checked range, as rows to commit. */
export type BuiltRange = { from: bigint; to: bigint; blocks: IndexedBlock[]; logs: number }

/** The headers and logs of from..to (both requests at once). */
export function fetchRange(rpc: ChainRpc, from: bigint, to: bigint): Promise<RawRange> {
  const p = Promise.all([rpc.headers(from, to), rpc.logs(from, to)]).then(([headers, logs]) => ({
    from,
    to,
    headers,
    logs,
  }))
  p.catch(() => {}) // a prefetch abandoned after a reorg or a failed range must not surface as an unhandled rejection
  return p
}

/** Checks a fetched range and computes its rows; throws InconsistentRangeError for a range that is not one chain. */
export function buildRange(chainId: bigint, { from, to, headers, logs }: RawRange, logger: Logger): BuiltRange {
  const blocks = buildIndexedBlocks(chainId, headers, logs, {
    onBadExecutingMessage: (block, logIndex, err) =>
      logger.warn(
        { err, chainId: chainId.toString(), block: block.toString(), logIndex },
        'undecodable ExecutingMessage event ignored',
      ),
  })
  return { from, to, blocks, logs: logs.length }
}
