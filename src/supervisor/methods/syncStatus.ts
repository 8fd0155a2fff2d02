import { UninitializedError } from '../../errors/index.js'
import type { RpcMethod } from '../../rpc/index.js'
import { type BlockIdJson, type BlockRefJson, blockIdJson, blockRefJson, ZERO_BLOCK_REF } from '../blockJson.js'
import type { MethodContext } from './context.js'

/** op-service eth.SupervisorChainSyncStatus. */
export type ChainSyncStatusJson = {
  localUnsafe: BlockRefJson
  localSafe: BlockIdJson
  crossUnsafe: BlockIdJson
  safe: BlockIdJson
  finalized: BlockIdJson
}

/** op-service eth.SupervisorSyncStatus: chains keyed by decimal chain id (eth.ChainID's text form). */
export type SyncStatusJson = {
  minSyncedL1: BlockRefJson
  safeTimestamp: number
  finalizedTimestamp: number
  chains: Record<string, ChainSyncStatusJson>
}

/**
 * `supervisor_syncStatus()` in op-supervisor's JSON shape (op-conductor's supervisor health check
 * decodes it and treats an error as unhealthy). minSyncedL1 is the zero block: we have no L1.
 * safeTimestamp / finalizedTimestamp are the minimum over chains, as op-supervisor computes them.
 * -320400 until every chain is ready.
 */
export function syncStatus(ctx: MethodContext): RpcMethod {
  return async () => {
    const { backend } = ctx
    const chains: Record<string, ChainSyncStatusJson> = {}
    let safeTs: bigint | undefined
    let finalizedTs: bigint | undefined
    for (const chainId of backend.chains()) {
      if (!backend.isReady(chainId)) throw new UninitializedError(`chain ${chainId} is not indexed yet`)
      const h = await backend.heads(chainId)
      chains[chainId.toString()] = {
        localUnsafe: blockRefJson(h.unsafe),
        localSafe: blockIdJson(h.safe),
        crossUnsafe: blockIdJson(h.crossUnsafe),
        safe: blockIdJson(h.safe),
        finalized: blockIdJson(h.finalized),
      }
      const s = h.safe?.timestamp ?? 0n
      const f = h.finalized?.timestamp ?? 0n
      safeTs = safeTs === undefined || s < safeTs ? s : safeTs
      finalizedTs = finalizedTs === undefined || f < finalizedTs ? f : finalizedTs
    }
    return {
      minSyncedL1: ZERO_BLOCK_REF,
      safeTimestamp: Number(safeTs ?? 0n),
      finalizedTimestamp: Number(finalizedTs ?? 0n),
      chains,
    } satisfies SyncStatusJson
  }
}
