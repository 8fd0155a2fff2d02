import { RpcCode, ServiceError, type ServiceErrorOptions } from '../errors/index.js'

/**
 * The shared store (Redis) did not answer within its command timeout, or is not connected: the
 * operation was not done. -32603 as proxyd answers when its Redis rate limiter errors; the ingress
 * sends it with HTTP 503 (a dependency is down, as for the upstream).
 */
export class StoreUnavailableError extends ServiceError {
  override name = 'StoreUnavailableError'
  constructor(what: string, o: ServiceErrorOptions = {}) {
    super('STORE_UNAVAILABLE', RpcCode.InternalError, `${what} unavailable`, o)
  }
}
