import type { Backend } from '../../check/backend.js'
import { InvalidParamsError, UninitializedError, UnknownChainError } from '../../errors/index.js'
import { parseChainId } from '../../interop/index.js'

/** A chainID parameter (decimal or 0x-hex, as eth.ChainID decodes it) naming a ready chain. */
export function chainParam(backend: Backend, value: unknown): bigint {
  let chainId: bigint
  try {
    chainId = parseChainId(value)
  } catch (err) {
    throw new InvalidParamsError(`invalid chainID: ${(err as Error).message}`)
  }
  if (!backend.hasChain(chainId)) throw new UnknownChainError(`chain ${chainId}`)
  if (!backend.isReady(chainId)) throw new UninitializedError(`chain ${chainId} is not indexed yet`)
  return chainId
}
