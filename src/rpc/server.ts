import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import {
  InternalError,
  InvalidRequestError,
  ParseError,
  RequestBodyTooLargeError,
  ResponseTooLargeError,
  RpcCode,
  ServiceError,
} from '../errors/index.js'
import { DEFAULT_MAX_DEPTH, nestedDeeperThan } from './jsonDepth.js'
import {
  type CallObserver,
  dispatchSync,
  type JsonRpcErrorObject,
  type JsonRpcResponse,
  type MethodTable,
  type RpcContext,
  toErrorObject,
} from './jsonrpc.js'
import { createLimitedServer, DEFAULT_LISTENER_LIMITS, type ListenerLimits } from './listenerLimits.js'

export type Health = { status: number; body: unknown }

/** The HTTP answer that refuses a whole request (engine-sim: geth's 401 with a plain-text reason). */
export type Refusal = { status: number; contentType: string; body: string }

/**
 * Decides on one call of a parsed request whether it may run: undefined = yes. Consulted for every
 * call of a batch before any of them runs, with the method exactly as dispatch will look it up.
 */
export type Authorize = (method: string, ctx: RpcContext) => Refusal | undefined

export type RpcServerOptions = {
  methods: MethodTable
  logger: Logger
  /** Listener name in metrics (`listener` label) and logs. */
  name?: string
  /** Largest request body in bytes (proxyd's default request size limit is 128 KiB). */
  bodyLimit?: number
  /**
   * Largest batch, in cost units: each call costs `methodCosts.get(method) ?? 1`. A batch over it
   * is refused whole with -32600 (HTTP 413) before any call runs.
   */
  maxBatch?: number
  /** Cost of a call in a batch, by method, for methods heavier than a check (default 1). */
  methodCosts?: ReadonlyMap<string, number>
  /**
   * Largest response in bytes: a single answer over it becomes -32020 "response too large"; a
   * batch answer keeps its items in order up to the cap and answers each later one -32020.
   */
  maxResponseBytes?: number
  /** Deepest array/object nesting a request may have (-32600 above). */
  maxDepth?: number
  /** Timeouts and connection cap; defaults DEFAULT_LISTENER_LIMITS. */
  limits?: Partial<ListenerLimits>
  registry?: Registry
  observe?: CallObserver
  health?: () => Health | Promise<Health>
  /**
   * HTTP status for a single (non-batch) response; proxyd answers interop errors with
   * 4xx/5xx statuses, a supervisor answers 200 always.
   */
  httpStatus?: (response: JsonRpcResponse) => number
  /** Path the JSON-RPC endpoint is served on (POST). */
  path?: string
  /**
   * Runs the synchronous dispatch of a batch's calls (the supervisor: inside one read snapshot of
   * its log index). Calls that go async leave the scope at their first await.
   */
  batchScope?: <T>(run: () => T) => T
  /**
   * Auth decided on the parsed request, never on its text: `"sim\u005fsetFaults"`, a duplicate
   * "method" key and the n-th call of a batch all reach it as the method dispatch will run.
   */
  authorize?: Authorize
}

/** The first refusal among the calls of a parsed body (a single call or a batch). */
function refusalOf(authorize: Authorize, body: unknown, ctx: RpcContext): Refusal | undefined {
  for (const call of Array.isArray(body) ? body : [body]) {
    if (call === null || typeof call !== 'object') continue
    const method = (call as { method?: unknown }).method
    if (typeof method !== 'string') continue
    const refused = authorize(method, ctx)
    if (refused) return refused
  }
  return undefined
}

export const DEFAULT_BODY_LIMIT = 128 * 1024
export const DEFAULT_MAX_BATCH = 1000

/**
 * 8 MiB: a full 1,000-check batch answers ~100 KiB and an eth_getLogs page a few MiB, while 200
 * clients that never read hold at most one response each (see whenWritable). The engine-facing
 * listeners (engine proxy, engine-sim) raise it to carry whole payloads.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024

/**
 * JSON-RPC 2.0 over HTTP on fastify, shared by every role: single and batch requests,
 * body, batch-cost, nesting and response-size limits, error objects with stable codes,
 * request/headers/keep-alive timeouts, a connection cap, backpressure toward clients that do not
 * read, /healthz and /metrics. Returns the instance without listening; the caller decides where.
 */
export function createRpcServer(opts: RpcServerOptions): FastifyInstance {
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT
  const maxBatch = opts.maxBatch ?? DEFAULT_MAX_BATCH
  const maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH
  const costs = opts.methodCosts
  const limits: ListenerLimits = { ...DEFAULT_LISTENER_LIMITS, ...opts.limits }
  const rpcPath = opts.path ?? '/'
  const log = opts.logger
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: true,
    // Our node:http server: timeouts and a connection cap set at construction, a gate in front of fastify.
    serverFactory: (handler) =>
      createLimitedServer(limits, handler, {
        name: opts.name ?? 'rpc',
        logger: log,
        ...(opts.registry ? { registry: opts.registry } : {}),
      }).server,
    // The limited server answers client errors (timeouts too) with a JSON-RPC body itself.
    clientErrorHandler: () => {},
  })
  const onInternal = (err: unknown, method: string) => log.error({ err, method }, 'internal error in JSON-RPC method')

  // JSON.parse directly: the body is bounded, and the default parser's prototype scan costs on the hot path.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body))

  const send = (reply: FastifyReply, status: number, payload: unknown) =>
    reply.code(status).header('content-type', 'application/json').send(JSON.stringify(payload))
  const sendText = (reply: FastifyReply, status: number, text: string) =>
    reply.code(status).header('content-type', 'application/json').send(text)
  const failure = (err: ServiceError): { jsonrpc: '2.0'; id: null; error: JsonRpcErrorObject } => ({
    jsonrpc: '2.0',
    id: null,
    error: toErrorObject(err),
  })

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, 413, failure(new RequestBodyTooLargeError()))
    if (err instanceof ServiceError) return send(reply, err.rpcCode === RpcCode.InternalError ? 500 : 400, failure(err))
    const status = err.statusCode
    // fastify's 4xx are the client's HTTP mistakes; their text is fastify's, so ours goes on the wire.
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const what =
        err.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH'
          ? 'body length does not match Content-Length'
          : `malformed HTTP request (${status})`
      return send(reply, status, failure(new InvalidRequestError(what)))
    }
    // Anything else is ours (a storage failure in a batch scope, a result JSON cannot encode):
    // logged with its text, answered without it.
    log.error({ err, url: req.url }, 'internal error serving a JSON-RPC request')
    return send(reply, 500, failure(new InternalError()))
  })

  // Unknown paths and methods: a JSON-RPC error body, 405 with Allow where the path exists.
  const allowed = new Map<string, string>([
    [rpcPath, 'POST'],
    ['/healthz', 'GET, HEAD'],
  ])
  if (opts.registry) allowed.set('/metrics', 'GET, HEAD')
  const notFound = (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?', 1)[0]!
    const allow = allowed.get(path)
    if (allow === undefined)
      return send(
        reply,
        404,
        failure(new InvalidRequestError(`no endpoint at ${path}: JSON-RPC is served by POST ${rpcPath}`)),
      )
    const what = allow === 'POST' ? 'JSON-RPC takes POST' : `${path} takes GET`
    return send(
      reply.header('allow', allow),
      405,
      failure(new InvalidRequestError(`${req.method} ${path} is not allowed: ${what}`)),
    )
  }
  app.setNotFoundHandler(notFound)
  // Refused before the body is read: fastify parses a 404's body with the listener's limit (32–64 MiB
  // on the engine listeners, whose unauthenticated-body guards look at POST only) before the handler
  // runs. The connection closes after the answer, so the unread body is never buffered.
  // Callback style, not async: an async hook costs every request a promise and a microtask.
  app.addHook('onRequest', (req, reply, done) => {
    if (!req.is404) return done()
    reply.header('connection', 'close')
    notFound(req, reply)
  })

  const tooLarge = (id: JsonRpcResponse['id']) =>
    JSON.stringify({
      jsonrpc: '2.0',
      id,
      error: toErrorObject(new ResponseTooLargeError(`over ${maxResponseBytes} bytes`)),
    })
  const byteLength = (s: string) => (s.length * 3 <= maxResponseBytes ? s.length : Buffer.byteLength(s))

  /**
   * The answer to one POST: the reply itself when every call answered synchronously (the common
   * case: a builder submission, a check served from the index), a promise only when a call is
   * pending. An async handler cost every request a promise and a then-callback in fastify.
   */
  const answer = (req: FastifyRequest, reply: FastifyReply): FastifyReply | Promise<FastifyReply> => {
    const text = req.body as string
    if (nestedDeeperThan(text, maxDepth))
      return send(reply, 400, failure(new InvalidRequestError(`nested deeper than ${maxDepth} levels`)))
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch (err) {
      return send(reply, 400, failure(new ParseError((err as Error).message)))
    }
    const ctx: RpcContext = { headers: req.headers }
    const refused = opts.authorize && refusalOf(opts.authorize, body, ctx)
    if (refused) return reply.code(refused.status).header('content-type', refused.contentType).send(refused.body)
    if (Array.isArray(body)) {
      if (body.length === 0) return send(reply, 400, failure(new InvalidRequestError('empty batch')))
      if (body.length > maxBatch)
        return send(
          reply,
          413,
          failure(new InvalidRequestError(`batch of ${body.length} exceeds the limit of ${maxBatch}`)),
        )
      if (costs) {
        const over = batchOverBudget(body, costs, maxBatch)
        if (over) return send(reply, 413, failure(new InvalidRequestError(over)))
      }
      // Calls answered synchronously go straight into the response; only pending ones are awaited.
      const responses: (JsonRpcResponse | undefined)[] = []
      let pending: Promise<void>[] | undefined
      const dispatchAll = () => {
        for (const r of body) {
          const res = dispatchSync(opts.methods, r, ctx, opts.observe, onInternal)
          if (res instanceof Promise) {
            const at = responses.push(undefined) - 1
            ;(pending ??= []).push(
              res.then((v) => {
                responses[at] = v
              }),
            )
          } else responses.push(res)
        }
      }
      if (opts.batchScope) opts.batchScope(dispatchAll)
      else dispatchAll()
      return pending ? Promise.all(pending).then(() => sendBatch(reply, responses)) : sendBatch(reply, responses)
    }
    const single = dispatchSync(opts.methods, body, ctx, opts.observe, onInternal)
    return single instanceof Promise ? single.then((res) => sendSingle(reply, res)) : sendSingle(reply, single)
  }
  const sendBatch = (reply: FastifyReply, responses: (JsonRpcResponse | undefined)[]) => {
    const answered = responses.filter((r) => r !== undefined)
    if (answered.length === 0) return reply.code(204).send()
    const whole = JSON.stringify(answered)
    return sendText(reply, 200, byteLength(whole) <= maxResponseBytes ? whole : capBatch(answered))
  }
  const sendSingle = (reply: FastifyReply, res: JsonRpcResponse | undefined) => {
    if (!res) return reply.code(204).send()
    const out = JSON.stringify(res)
    const status = opts.httpStatus ? opts.httpStatus(res) : 200
    return sendText(reply, status, byteLength(out) <= maxResponseBytes ? out : tooLarge(res.id))
  }
  // A sync handler whose reply is sent returns nothing; a pending answer goes to fastify as a promise.
  app.post(rpcPath, (req, reply) => {
    const out = answer(req, reply)
    return out instanceof Promise ? out : undefined
  })

  /** A batch answer over the cap: items in order while they fit, -32020 for each one after (never a cut JSON). */
  function capBatch(answered: JsonRpcResponse[]): string {
    const parts: string[] = []
    let size = 2
    let full = false
    for (const r of answered) {
      let part = full ? undefined : JSON.stringify(r)
      if (part === undefined || size + byteLength(part) + 1 > maxResponseBytes) {
        full = true
        part = tooLarge(r.id)
      }
      size += byteLength(part) + 1
      parts.push(part)
    }
    return `[${parts.join(',')}]`
  }

  app.get('/healthz', async (_req, reply) => {
    const h = opts.health ? await opts.health() : { status: 200, body: { ok: true } }
    return send(reply, h.status, h.body)
  })

  const registry = opts.registry
  if (registry) {
    app.get('/metrics', async (_req, reply) =>
      reply.header('content-type', registry.contentType).send(await registry.metrics()),
    )
  }
  return app
}

/** Why a batch costs more than `budget` (naming its heaviest method), or undefined; before any call runs. */
function batchOverBudget(
  batch: readonly unknown[],
  costs: ReadonlyMap<string, number>,
  budget: number,
): string | undefined {
  let total = 0
  let heaviest: string | undefined
  let heaviestCost = 1
  for (const r of batch) {
    const method = r !== null && typeof r === 'object' ? (r as { method?: unknown }).method : undefined
    const cost = typeof method === 'string' ? (costs.get(method) ?? 1) : 1
    total += cost
    if (cost > heaviestCost) {
      heaviestCost = cost
      heaviest = method as string
    }
  }
  if (total <= budget) return undefined
  const why = heaviest === undefined ? '' : ` (${heaviest} costs ${heaviestCost})`
  return `batch costs ${total}${why}, over the limit of ${budget}`
}
