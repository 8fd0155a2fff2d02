import { ServiceError } from '../errors/index.js'
import type { RpcCode } from '../errors/index.js'
import { EngineErrorCode } from '../engine/types.js'

/** geth answers rejected transactions with -32000 and a plain message ("already known", "nonce too low…"). */
const GETH_SERVER_ERROR = -32000

export class TxRejectedError extends ServiceError {
  override name = 'TxRejectedError'
  constructor(message: string) { super('ENGINESIM_TX_REJECTED', GETH_SERVER_ERROR as RpcCode, message) }
}

/** Engine API errors with the codes and messages of paris.md / cancun.md. */
export class EngineApiError extends ServiceError {
  override name = 'EngineApiError'
  constructor(code: (typeof EngineErrorCode)[keyof typeof EngineErrorCode], message: string, details?: string) {
    super('ENGINESIM_ENGINE_ERROR', code as unknown as RpcCode, message, details === undefined ? {} : { details, data: { err: details } })
  }
}

export const unknownPayload = () => new EngineApiError(EngineErrorCode.UnknownPayload, 'Unknown payload')
export const invalidForkchoiceState = (why: string) => new EngineApiError(EngineErrorCode.InvalidForkchoiceState, 'Invalid forkchoice state', why)
export const invalidPayloadAttributes = (why: string) => new EngineApiError(EngineErrorCode.InvalidPayloadAttributes, 'Invalid payload attributes', why)
export const unsupportedFork = (why: string) => new EngineApiError(EngineErrorCode.UnsupportedFork, 'Unsupported fork', why)
