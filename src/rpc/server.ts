import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { InvalidRequestError, ParseError, RequestBodyTooLargeError } from '../errors/index.js'
import { dispatchSync, toErrorObject, type CallObserver, type JsonRpcResponse, type MethodTable, type RpcContext } from './jsonrpc.js'

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
  /** Largest request body in bytes (proxyd's default request size limit is 128 KiB). */
  bodyLimit?: number
  /** Largest batch; a larger one is refused whole with -32600. */
  maxBatch?: number
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
 * JSON-RPC 2.0 over HTTP on fastify, shared by every role: single and batch requests,
 * body and batch limits, error objects with stable codes, /healthz and /metrics.
 * Returns the instance without listening; the caller decides where.
 */
export function createRpcServer(opts: RpcServerOptions): FastifyInstance {
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT
  const maxBatch = opts.maxBatch ?? DEFAULT_MAX_BATCH
  const app = Fastify({ loggerInstance: opts.logger as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit, return503OnClosing: true, forceCloseConnections: true })
  const onInternal = (err: unknown, method: string) => opts.logger.error({ err, method }, 'internal error in JSON-RPC method')

  // JSON.parse directly: the body is bounded, and the default parser's prototype scan costs on the hot path.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body))

  const send = (reply: FastifyReply, status: number, payload: unknown) =>
    reply.code(status).header('content-type', 'application/json').send(JSON.stringify(payload))

  app.setErrorHandler((err, _req, reply) => {
    const tooLarge = (err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE'
    const error = tooLarge ? new RequestBodyTooLargeError() : new InvalidRequestError((err as Error).message)
    send(reply, tooLarge ? 413 : 400, { jsonrpc: '2.0', id: null, error: toErrorObject(error) })
  })

  app.post(opts.path ?? '/', async (req, reply) => {
    let body: unknown
    try {
      body = JSON.parse(req.body as string)
    } catch (err) {
      return send(reply, 400, { jsonrpc: '2.0', id: null, error: toErrorObject(new ParseError((err as Error).message)) })
    }
    const ctx: RpcContext = { headers: req.headers }
    const refused = opts.authorize && refusalOf(opts.authorize, body, ctx)
    if (refused) return reply.code(refused.status).header('content-type', refused.contentType).send(refused.body)
    if (Array.isArray(body)) {
      if (body.length === 0) return send(reply, 400, { jsonrpc: '2.0', id: null, error: toErrorObject(new InvalidRequestError('empty batch')) })
      if (body.length > maxBatch) return send(reply, 413, { jsonrpc: '2.0', id: null, error: toErrorObject(new InvalidRequestError(`batch of ${body.length} exceeds the limit of ${maxBatch}`)) })
      // Calls answered synchronously go straight into the response; only pending ones are awaited.
      const responses: (JsonRpcResponse | undefined)[] = []
      let pending: Promise<void>[] | undefined
      const dispatchAll = () => {
        for (const r of body) {
          const res = dispatchSync(opts.methods, r, ctx, opts.observe, onInternal)
          if (res instanceof Promise) {
            const at = responses.push(undefined) - 1
            ;(pending ??= []).push(res.then((v) => { responses[at] = v }))
          } else responses.push(res)
        }
      }
      if (opts.batchScope) opts.batchScope(dispatchAll)
      else dispatchAll()
      if (pending) await Promise.all(pending)
      const answered = responses.filter((r) => r !== undefined)
      if (answered.length === 0) return reply.code(204).send()
      return send(reply, 200, answered)
    }
    const single = dispatchSync(opts.methods, body, ctx, opts.observe, onInternal)
    const res = single instanceof Promise ? await single : single
    if (!res) return reply.code(204).send()
    return send(reply, opts.httpStatus ? opts.httpStatus(res) : 200, res)
  })

  app.get('/healthz', async (_req, reply) => {
    const h = opts.health ? await opts.health() : { status: 200, body: { ok: true } }
    return send(reply, h.status, h.body)
  })

  const registry = opts.registry
  if (registry) {
    app.get('/metrics', async (_req, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()))
  }
  return app
}
