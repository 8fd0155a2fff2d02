export { RemoteRpcError, type RpcCallResult, RpcClient, type RpcClientOptions, TransportError } from './client.js'
export { type Endpoint, EndpointError, parseEndpoint, parseListen } from './endpoint.js'
export { FailsafePoller, type FailsafePollerOptions } from './failsafePoller.js'
export {
  type CallObserver,
  dispatch,
  type JsonRpcErrorObject,
  type JsonRpcId,
  type JsonRpcResponse,
  type MethodTable,
  type RpcContext,
  type RpcMethod,
  toErrorObject,
} from './jsonrpc.js'
export { JWT_IAT_WINDOW_S, readJwtSecret, signJwt, verifyJwt } from './jwt.js'
export { createLimitedServer, DEFAULT_LISTENER_LIMITS, type ListenerLimits, listenerLimits } from './listenerLimits.js'
export { createRegistry, rpcCallObserver } from './metrics.js'
export {
  type Authorize,
  createRpcServer,
  DEFAULT_BODY_LIMIT,
  DEFAULT_MAX_BATCH,
  DEFAULT_MAX_RESPONSE_BYTES,
  type Health,
  type Refusal,
  type RpcServerOptions,
} from './server.js'
