export { dispatch, toErrorObject, type CallObserver, type JsonRpcErrorObject, type JsonRpcId, type JsonRpcResponse, type MethodTable, type RpcContext, type RpcMethod } from './jsonrpc.js'
export { JWT_IAT_WINDOW_S, readJwtSecret, signJwt, verifyJwt } from './jwt.js'
export { createRegistry, rpcCallObserver } from './metrics.js'
export { createRpcServer, DEFAULT_BODY_LIMIT, DEFAULT_MAX_BATCH, type Health, type RpcServerOptions } from './server.js'
