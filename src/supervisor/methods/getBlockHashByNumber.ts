import { then } from '../../check/maybePromise.js'
import { ExecutionCode, InvalidParamsError, ServiceError, UnknownChainError } from '../../errors/index.js'
import { parseChainId } from '../../interop/index.js'
import type { RpcMethod } from '../../rpc/index.js'
import type { MethodContext } from './context.js'

/** Go's ethereum.NotFound wrapped as the filter wraps it; the Go client matches "not found" in the text. */
class NotFoundError extends ServiceError {
  override name = 'NotFoundError'
  constructor(what: string) {
    super('SUPERVISOR_NOT_FOUND', ExecutionCode.ServerError, `${what}: not found`)
  }
}

/**
 * `interop_getBlockHashByNumber(chainID, blockNumber)` → the block's hash, as op-interop-filter's
 * Backend.GetBlockHashByNumber answers op-service's InteropFilterClient: chainID decimal (eth.ChainID)
 * or 0x-hex; the number a hex quantity or "latest" (rpc.BlockNumber; other tags are refused with
 * the filter's message). A block the index does not hold: -32000 "block N for chain C: not found"
 * (the Go client turns any "not found" text into ethereum.NotFound).
 */
export function getBlockHashByNumber(ctx: MethodContext): RpcMethod {
  return (params) => {
    let chainId: bigint
    try {
      chainId = parseChainId(params[0])
    } catch (err) {
      throw new InvalidParamsError(`invalid chainID: ${(err as Error).message}`)
    }
    const at = blockNumber(params[1])
    if (!ctx.backend.hasChain(chainId)) throw new UnknownChainError(`chain ${chainId}`)
    return then(ctx.backend.blockHash(chainId, at), (hash) => {
      if (hash === undefined)
        throw new NotFoundError(
          at === 'latest' ? `latest block for chain ${chainId}` : `block ${at} for chain ${chainId}`,
        )
      return hash
    })
  }
}

const TAGS = new Set(['earliest', 'pending', 'safe', 'finalized'])

function blockNumber(v: unknown): bigint | 'latest' {
  if (v === 'latest') return 'latest'
  if (typeof v === 'string' && TAGS.has(v))
    throw new ServiceError(
      'SUPERVISOR_UNSUPPORTED_TAG',
      ExecutionCode.ServerError,
      `unsupported block tag "${v}": only "latest" and block numbers are supported`,
    )
  if (typeof v === 'string' && /^0x(0|[1-9a-fA-F][0-9a-fA-F]{0,15})$/.test(v)) return BigInt(v)
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  throw new InvalidParamsError(
    `invalid block number: expected a hex quantity or "latest", got ${JSON.stringify(v) ?? 'nothing'}`,
  )
}
