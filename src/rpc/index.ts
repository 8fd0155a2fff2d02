export {
  dispatch,
  toErrorObject,
  type CallObserver,
  type JsonRpcErrorObject,
  type JsonRpcId,
  type JsonRpcResponse,
  type MethodTable,
  type RpcContext,
  type RpcMethod,
} from './jsonrpc.js'
export { JWT_IAT_WINDOW_S, readJwtSecret, signJwt, verifyJwt } from './jwt.js'
export { createRegistry, rpcCallObserver } from './metrics.js'
export {
  createRpcServer,
  DEFAULT_BODY_LIMIT,
  DEFAULT_MAX_BATCH,
  DEFAULT_MAX_RESPONSE_BYTES,
  type Authorize,
  type Health,
  type Refusal,
  type RpcServerOptions,
} from './server.js'
export { createLimitedServer, DEFAULT_LISTENER_LIMITS, listenerLimits, type ListenerLimits } from './listenerLimits.js'
export { RemoteRpcError, RpcClient, TransportError, type RpcCallResult, type RpcClientOptions } from './client.js'
export { EndpointError, parseEndpoint, parseListen, type Endpoint } from './endpoint.js'
