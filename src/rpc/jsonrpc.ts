import { InternalError, InvalidRequestError, MethodNotFoundError, ServiceError } from '../errors/index.js'

export type JsonRpcId = string | number | null

export type JsonRpcErrorObject = { code: number; message: string; data?: unknown }

export type JsonRpcResponse =
  | { jsonrpc: '2.0'; id: JsonRpcId; result: unknown }
  | { jsonrpc: '2.0'; id: JsonRpcId; error: JsonRpcErrorObject }

export type RpcContext = {
  /** Lower-cased request headers (authorization for JWT-guarded methods). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
}

/** A method gets positional params (missing → []) and returns a JSON-ready result or throws a ServiceError. */
export type RpcMethod = (params: readonly unknown[], ctx: RpcContext) => unknown

export type MethodTable = ReadonlyMap<string, RpcMethod>

/** Observes every call, for metrics; `code` is 0 on success. */
export type CallObserver = (method: string, code: number, seconds: number) => void

/** The JSON-RPC error object for any thrown value; unknown errors never leak their text. */
export function toErrorObject(err: unknown): JsonRpcErrorObject {
  if (err instanceof ServiceError) {
    return err.data === undefined
      ? { code: err.rpcCode, message: err.message }
      : { code: err.rpcCode, message: err.message, data: err.data }
  }
  return { code: new InternalError().rpcCode, message: 'internal error' }
}

function isId(id: unknown): id is JsonRpcId {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))
}

/**
 * Runs one JSON-RPC request object. Never throws: every failure becomes an error response.
 * Returns undefined for notifications (no id), which get no response.
 */
export async function dispatch(
  methods: MethodTable,
  req: unknown,
  ctx: RpcContext,
  observe?: CallObserver,
  onInternal?: (err: unknown, method: string) => void,
): Promise<JsonRpcResponse | undefined> {
  return dispatchSync(methods, req, ctx, observe, onInternal)
}

/**
 * `dispatch` answering synchronously when the method does (a check on the index backend): a
 * promise only for methods that return one. Saves the async frame and the microtask per call
 * (and Promise.all over a batch of them) on the check path.
 */
export function dispatchSync(
  methods: MethodTable,
  req: unknown,
  ctx: RpcContext,
  observe?: CallObserver,
  onInternal?: (err: unknown, method: string) => void,
): JsonRpcResponse | undefined | Promise<JsonRpcResponse | undefined> {
  if (req === null || typeof req !== 'object' || Array.isArray(req)) {
    return { jsonrpc: '2.0', id: null, error: toErrorObject(new InvalidRequestError('request must be an object')) }
  }
  const { jsonrpc, id, method, params } = req as Record<string, unknown>
  const hasId = 'id' in (req as object)
  const rid: JsonRpcId = isId(id) ? id : null
  if (jsonrpc !== '2.0' || typeof method !== 'string' || (hasId && !isId(id))) {
    return {
      jsonrpc: '2.0',
      id: rid,
      error: toErrorObject(new InvalidRequestError('expected {jsonrpc: "2.0", method: string, id?}')),
    }
  }
  if (params !== undefined && !Array.isArray(params)) {
    return { jsonrpc: '2.0', id: rid, error: toErrorObject(new InvalidRequestError('params must be an array')) }
  }
  const started = observe ? performance.now() : 0
  const fn = methods.get(method)
  const done = (response: JsonRpcResponse): JsonRpcResponse | undefined => {
    if (observe)
      observe(
        fn ? method : 'unknown',
        'error' in response ? response.error.code : 0,
        (performance.now() - started) / 1000,
      )
    return hasId ? response : undefined
  }
  const failed = (err: unknown): JsonRpcResponse => {
    if (!(err instanceof ServiceError)) onInternal?.(err, method)
    return { jsonrpc: '2.0', id: rid, error: toErrorObject(err) }
  }
  let result: unknown
  try {
    if (!fn) throw new MethodNotFoundError(method)
    result = fn((params as unknown[] | undefined) ?? [], ctx)
  } catch (err) {
    return done(failed(err))
  }
  if (result instanceof Promise) {
    return result.then(
      (r: unknown) => done({ jsonrpc: '2.0', id: rid, result: r === undefined ? null : r }),
      (err: unknown) => done(failed(err)),
    )
  }
  return done({ jsonrpc: '2.0', id: rid, result: result === undefined ? null : result })
}
