import { then } from '../../check/maybePromise.js'
import { FutureDataError } from '../../errors/index.js'
import type { RpcMethod } from '../../rpc/index.js'
import { blockIdJson, ZERO_BLOCK_ID } from '../blockJson.js'
import { chainParam } from './chainParam.js'
import type { MethodContext } from './context.js'

/**
 * `supervisor_crossSafe(chainID)` → op-supervisor's DerivedIDPair `{source, derived}`: `derived`
 * is the chain's safe block; `source` would be the L1 block it was derived from, which we do not
 * follow, so it is the zero block.
 */
export function crossSafe(ctx: MethodContext): RpcMethod {
  return (params) => {
    const chainId = chainParam(ctx.backend, params[0])
    return then(ctx.backend.heads(chainId), (h) => {
      if (!h.safe) throw new FutureDataError(`no safe block of chain ${chainId} yet`)
      return { source: ZERO_BLOCK_ID, derived: blockIdJson(h.safe) }
    })
  }
}
