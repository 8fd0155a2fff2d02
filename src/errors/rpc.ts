import { ServiceError, type ServiceErrorOptions } from './base.js'
import { RpcCode } from './codes.js'

// One class per condition; messages follow op-supervisor's Go sentinels.

export class ParseError extends ServiceError {
  override name = 'ParseError'
  constructor(details?: string, o: ServiceErrorOptions = {}) {
    super('RPC_PARSE_ERROR', RpcCode.ParseError, 'parse error', { ...o, details })
  }
}
export class InvalidRequestError extends ServiceError {
  override name = 'InvalidRequestError'
  constructor(details?: string, o: ServiceErrorOptions = {}) {
    super('RPC_INVALID_REQUEST', RpcCode.InvalidRequest, 'invalid request', { ...o, details })
  }
}
export class MethodNotFoundError extends ServiceError {
  override name = 'MethodNotFoundError'
  constructor(method: string) {
    super('RPC_METHOD_NOT_FOUND', RpcCode.MethodNotFound, `the method ${method} does not exist/is not available`)
  }
}
export class InvalidParamsError extends ServiceError {
  override name = 'InvalidParamsError'
  /** `message` goes on the wire as is, e.g. "failed to read data: expected entry". */
  constructor(message: string, o: ServiceErrorOptions = {}) {
    super('RPC_INVALID_PARAMS', RpcCode.InvalidParams, message, o)
  }
}
export class InternalError extends ServiceError {
  override name = 'InternalError'
  constructor(o: ServiceErrorOptions = {}) {
    super('RPC_INTERNAL', RpcCode.InternalError, 'internal error', o)
  }
}
export class UnauthorizedError extends ServiceError {
  override name = 'UnauthorizedError'
  constructor(details: string) {
    super('RPC_UNAUTHORIZED', RpcCode.Unauthorized, 'unauthorized', { details })
  }
}
export class RequestBodyTooLargeError extends ServiceError {
  override name = 'RequestBodyTooLargeError'
  constructor() {
    super('RPC_BODY_TOO_LARGE', RpcCode.RequestBodyTooLarge, 'request body too large')
  }
}
/** proxyd's -32020 ("backend response too large"): an answer over the listener's response cap. */
export class ResponseTooLargeError extends ServiceError {
  override name = 'ResponseTooLargeError'
  constructor(details?: string) {
    super('RPC_RESPONSE_TOO_LARGE', RpcCode.ResponseTooLarge, 'response too large', { details })
  }
}
export class AccessListOutOfBoundsError extends ServiceError {
  override name = 'AccessListOutOfBoundsError'
  constructor(details?: string) {
    super('INGRESS_ACCESS_LIST_OUT_OF_BOUNDS', RpcCode.AccessListOutOfBounds, 'access list out of bounds', { details })
  }
}
export class OverSenderRateLimitError extends ServiceError {
  override name = 'OverSenderRateLimitError'
  constructor() {
    super('INGRESS_SENDER_RATE_LIMIT', RpcCode.OverSenderRateLimit, 'sender is over rate limit')
  }
}
export class UninitializedError extends ServiceError {
  override name = 'UninitializedError'
  constructor(details?: string) {
    super('SUPERVISOR_UNINITIALIZED', RpcCode.UninitializedChainDatabase, 'uninitialized chain database', { details })
  }
}
export class UnknownChainError extends ServiceError {
  override name = 'UnknownChainError'
  constructor(details?: string) {
    super('SUPERVISOR_UNKNOWN_CHAIN', RpcCode.UnknownChain, 'unknown chain', { details })
  }
}
export class ConflictError extends ServiceError {
  override name = 'ConflictError'
  constructor(details?: string) {
    super('SUPERVISOR_CONFLICT', RpcCode.ConflictingData, 'conflicting data', { details })
  }
}
export class FailsafeEnabledError extends ServiceError {
  override name = 'FailsafeEnabledError'
  constructor() {
    super('SUPERVISOR_FAILSAFE', RpcCode.FailsafeEnabled, 'failsafe is enabled, rejecting all CheckAccessList requests')
  }
}
export class FutureDataError extends ServiceError {
  override name = 'FutureDataError'
  constructor(details?: string) {
    super('SUPERVISOR_FUTURE_DATA', RpcCode.FutureData, 'future data', { details })
  }
}
/**
 * -321100, worded as op-interop-filter words it (`<what>: out of scope`, the Go error chain's
 * order; lockstep_cross_validator.go), so op-reth and proxyd read the same text from us as from it.
 */
export class OutOfScopeError extends ServiceError {
  override name = 'OutOfScopeError'
  constructor(details?: string) {
    super('SUPERVISOR_OUT_OF_SCOPE', RpcCode.OutOfScope, 'out of scope', { details })
    if (details) this.message = `${details}: out of scope`
  }
}
export class DataCorruptionError extends ServiceError {
  override name = 'DataCorruptionError'
  constructor(details?: string) {
    super('SUPERVISOR_DATA_CORRUPTION', RpcCode.DataCorruption, 'data corruption', { details })
  }
}
