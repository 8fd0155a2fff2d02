export { ExecutionCode, RpcCode, SupervisorCode, type RelayedCode } from './codes.js'
export { ServiceError, type ServiceErrorOptions } from './base.js'
export {
  AccessListOutOfBoundsError,
  ConflictError,
  DataCorruptionError,
  FailsafeEnabledError,
  FutureDataError,
  InternalError,
  InvalidParamsError,
  InvalidRequestError,
  MethodNotFoundError,
  OutOfScopeError,
  OverSenderRateLimitError,
  ParseError,
  RequestBodyTooLargeError,
  ResponseTooLargeError,
  UnauthorizedError,
  UninitializedError,
  UnknownChainError,
} from './rpc.js'
