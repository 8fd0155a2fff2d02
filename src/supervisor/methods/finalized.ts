import { then } from '../../check/maybePromise.js'
import { FutureDataError } from '../../errors/index.js'
import type { RpcMethod } from '../../rpc/index.js'
import { blockIdJson } from '../blockJson.js'
import { chainParam } from './chainParam.js'
import type { MethodContext } from './context.js'

/** `supervisor_finalized(chainID)` → eth.BlockID `{hash, number}` of the chain's finalized block. */
export function finalized(ctx: MethodContext): RpcMethod {
  return (params) => {
    const chainId = chainParam(ctx.backend, params[0])
    return then(ctx.backend.heads(chainId), (h) => {
      if (!h.finalized) throw new FutureDataError(`no finalized block of chain ${chainId} yet`)
      return blockIdJson(h.finalized)
    })
  }
}
