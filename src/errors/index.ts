export { ServiceError, type ServiceErrorOptions } from './base.js'
export { ExecutionCode, type RelayedCode, RpcCode, SupervisorCode } from './codes.js'
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
export { chainConfiguredTwice, type StartupCause, StartupRefusal } from './startup.js'
