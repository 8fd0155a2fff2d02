import type { EngineErrorCode } from '../engine/types.js'
import { ExecutionCode, ServiceError } from '../errors/index.js'

export { TxRejectedError } from '../engine/errors.js'

/** Engine API errors with the codes and messages of paris.md / cancun.md. */
export class EngineApiError extends ServiceError {
  override name = 'EngineApiError'
  constructor(code: EngineErrorCode, message: string, details?: string) {
    super('ENGINESIM_ENGINE_ERROR', code, message, details === undefined ? {} : { details, data: { err: details } })
  }
}

export const unknownPayload = () => new EngineApiError(ExecutionCode.UnknownPayload, 'Unknown payload')
export const invalidForkchoiceState = (why: string) =>
  new EngineApiError(ExecutionCode.InvalidForkchoiceState, 'Invalid forkchoice state', why)
export const invalidPayloadAttributes = (why: string) =>
  new EngineApiError(ExecutionCode.InvalidPayloadAttributes, 'Invalid payload attributes', why)
export const unsupportedFork = (why: string) =>
  new EngineApiError(ExecutionCode.UnsupportedFork, 'Unsupported fork', why)

/** A refused eth_ read, -32000 with geth's plain wording ("unknown block", "invalid block range params"). */
export class EthServerError extends ServiceError {
  override name = 'EthServerError'
  constructor(message: string) {
    super('ENGINESIM_ETH_ERROR', ExecutionCode.ServerError, message)
  }
}

/** geth's revert error (code 3): `execution reverted` or `execution reverted: <reason>`, data the revert bytes. */
export class ExecutionRevertedError extends ServiceError {
  override name = 'ExecutionRevertedError'
  constructor(reason: string | undefined, revertData: string) {
    super('ENGINESIM_EXECUTION_REVERTED', ExecutionCode.ExecutionReverted, 'execution reverted', {
      ...(reason === undefined ? {} : { details: reason }),
      data: revertData,
    })
  }
}
