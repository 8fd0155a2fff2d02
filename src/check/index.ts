export type { Backend, ChainHeads, LogMiss } from './backend.js'
export { type CheckDescriptor, checkAccesses } from './checkAccesses.js'
export { type CheckContext, checkRequest, readError } from './checkRequest.js'
export { type CheckResult, fail, OK } from './checkResult.js'
export { type ExecutingDescriptor, parseDescriptor, parseExecutingDescriptor } from './descriptor.js'
export { createIndexBackend } from './indexBackend.js'
export { createLimiter, type Limiter, LimiterFullError } from './limiter.js'
// `then` stays out: a module namespace exporting `then` is a thenable, and `await import()` of it breaks.
export { drive, type MaybePromise, wait } from './maybePromise.js'
export { parseMinSafety } from './minSafety.js'
export {
  parseRoute,
  parseRoutes,
  type Route,
  type RoutedPart,
  type RouteSpec,
  type RouteSplit,
  RouteTable,
} from './routes.js'
export { createRpcBackend, type RpcBackend, type RpcBackendOptions } from './rpcBackend.js'
export { type CheckRules, DEFAULT_RULES } from './rules.js'
export type { BlockRef, ChainStatus, HeadLevel, LogReader, StoredLog } from './types.js'
