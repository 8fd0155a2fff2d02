import { relayed } from '../errors/codes.js'
import { ExecutionCode, RpcCode, ServiceError, type ServiceErrorOptions, SupervisorCode } from '../errors/index.js'
import { StoreUnavailableError } from '../store/index.js'

/**
 * No supervisor gave a verdict (quorum not reached, none healthy, unreachable): the ingress fails
 * closed with proxyd's JSONRPCErrorInternal (-32000, geth's server error), answered with HTTP 500
 * as proxyd does when no verdict could be had (ParseInteropError fallback).
 */
export class NoVerdictError extends ServiceError {
  override name = 'NoVerdictError'
  constructor(message: string, o: ServiceErrorOptions = {}) {
    super('INGRESS_NO_VERDICT', ExecutionCode.ServerError, message, o)
  }
}

/** The execution engine could not be reached; the transaction was not forwarded. */
export class UpstreamUnavailableError extends ServiceError {
  override name = 'UpstreamUnavailableError'
  constructor(o: ServiceErrorOptions = {}) {
    super('INGRESS_UPSTREAM_UNAVAILABLE', RpcCode.InternalError, 'upstream unavailable', o)
  }
}

/**
 * A supervisor's rejection, re-issued by the ingress with the supervisor's code and message
 * (as proxyd does), so that the wire answer and the HTTP status come from the verdict.
 */
export class SupervisorRejectionError extends ServiceError {
  override name = 'SupervisorRejectionError'
  constructor(code: number, message: string, data?: unknown) {
    super('INGRESS_SUPERVISOR_REJECTION', relayed(code), message, data === undefined ? {} : { data })
  }
}

/**
 * proxyd's interopRPCErrorMap (ethereum-optimism/infra proxyd/backend.go) plus its own codes:
 * the HTTP status an ingress rejection is answered with. Any other code is 400, as in proxyd.
 */
const HTTP_STATUS: ReadonlyMap<number, number> = new Map([
  [RpcCode.UninitializedChainDatabase, 400],
  [RpcCode.SkippedData, 422],
  [RpcCode.UnknownChain, 404],
  [RpcCode.ConflictingData, 409],
  [RpcCode.IneffectiveData, 422],
  [RpcCode.FailsafeEnabled, 503],
  [RpcCode.OutOfOrder, 409],
  [RpcCode.AwaitingReplacementBlock, 409],
  [SupervisorCode.IterStop, 400],
  [RpcCode.OutOfScope, 400],
  [SupervisorCode.CannotGetParentOfFirstBlockInDb, 404],
  [RpcCode.FutureData, 422],
  [RpcCode.MissedData, 404],
  [RpcCode.DataCorruption, 422],
  [RpcCode.InvalidParams, 400],
  [RpcCode.OverSenderRateLimit, 429],
  [RpcCode.RequestBodyTooLarge, 413],
  [RpcCode.AccessListOutOfBounds, 413],
])

/** HTTP status for an error the ingress itself answers with (not for errors relayed from the upstream). */
export function httpStatusFor(err: ServiceError): number {
  if (err instanceof NoVerdictError) return 500
  if (err instanceof UpstreamUnavailableError || err instanceof StoreUnavailableError) return 503
  return HTTP_STATUS.get(err.rpcCode) ?? 400
}
