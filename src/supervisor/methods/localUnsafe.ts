import { then } from '../../check/maybePromise.js'
import { FutureDataError } from '../../errors/index.js'
import type { RpcMethod } from '../../rpc/index.js'
import { blockIdJson } from '../blockJson.js'
import { chainParam } from './chainParam.js'
import type { MethodContext } from './context.js'

/** `supervisor_localUnsafe(chainID)` → eth.BlockID `{hash, number}` of the latest known block. */
export function localUnsafe(ctx: MethodContext): RpcMethod {
  return (params) => {
    const chainId = chainParam(ctx.backend, params[0])
    return then(ctx.backend.heads(chainId), (h) => {
      if (!h.unsafe) throw new FutureDataError(`no block of chain ${chainId} yet`)
      return blockIdJson(h.unsafe)
    })
  }
}
