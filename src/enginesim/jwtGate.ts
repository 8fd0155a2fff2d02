import { Transform, type TransformCallback } from 'node:stream'
import { errorCodes, type FastifyInstance } from 'fastify'
import { RequestBodyTooLargeError } from '../errors/index.js'
import { toErrorObject } from '../rpc/jsonrpc.js'
import { checkJwt, JwtCache, verifyJwt } from '../rpc/jwt.js'
import type { Authorize } from '../rpc/server.js'

/** Namespaces served without a token, as a geth node's public HTTP port serves them. */
const PUBLIC_NAMESPACES = ['eth_', 'net_', 'web3_', 'txpool_'] as const

/**
 * Methods that need a bearer token: everything outside the public namespaces (the Engine API, the
 * sim's fault controls, and whatever admin_/debug_ method is added later, unless made public on
 * purpose). Asked of the parsed method (the name dispatch looks up), so no escape or batch position
 * changes the answer.
 */
export const needsAuth = (method: string) => !PUBLIC_NAMESPACES.some((ns) => method.startsWith(ns))

/**
 * geth's wording for a refused token (node/jwt_handler.go answers HTTP 401 with a plain-text
 * reason): "missing token", "stale token", "future token", "missing issued-at", "signature is invalid".
 */
export function jwtRejection(
  secret: Buffer,
  authorization: string | string[] | undefined,
  nowS = Math.floor(Date.now() / 1000),
): string | undefined {
  const reason = verifyJwt(secret, authorization, nowS)
  if (reason === undefined) return undefined
  if (reason === 'missing bearer token') return 'missing token'
  if (reason === 'invalid signature') return 'signature is invalid'
  if (reason === 'missing iat') return 'missing issued-at'
  if (reason.startsWith('stale')) {
    const payload = String(authorization).slice(7).split('.')[1] ?? ''
    try {
      const iat = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iat?: number }).iat ?? 0
      return iat > nowS ? 'future token' : 'stale token'
    } catch {
      return 'stale token'
    }
  }
  return `token is malformed: ${reason}`
}

/**
 * engine-sim's bearer-token check. A valid token is remembered until its `iat` leaves the ±60 s
 * window, so the body-limit hook and the per-call decision cost one HMAC per token, not two per request.
 */
export class EngineSimAuth {
  readonly #secret: Buffer
  readonly #valid = new JwtCache<true>()

  constructor(secret: Buffer) {
    this.#secret = secret
  }

  /** Whether the Authorization header carries a valid token (any HTTP request, before its body). */
  valid(authorization: string | string[] | undefined, nowS = Math.floor(Date.now() / 1000)): boolean {
    if (typeof authorization !== 'string') return false
    if (this.#valid.get(authorization, nowS)) return true
    const r = checkJwt(this.#secret, authorization, nowS)
    if (typeof r === 'string') return false
    this.#valid.set(authorization, true, r.iat)
    return true
  }

  /** The per-call decision for createRpcServer: engine_/sim_ without a valid token → geth's 401. */
  readonly authorize: Authorize = (method, ctx) => {
    if (!needsAuth(method)) return undefined
    const authorization = ctx.headers.authorization
    if (this.valid(authorization)) return undefined
    const reason = jwtRejection(this.#secret, authorization) ?? 'stale token'
    return { status: 401, contentType: 'text/plain; charset=utf-8', body: `${reason}\n` }
  }
}

const tooLargeBody = () =>
  JSON.stringify({ jsonrpc: '2.0', id: null, error: toErrorObject(new RequestBodyTooLargeError()) })

/** Passes bytes through until `limit`, then fails as fastify's own body limit does (→ HTTP 413). */
class ByteLimit extends Transform {
  #left: number
  constructor(limit: number) {
    super()
    this.#left = limit
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#left -= chunk.length
    if (this.#left < 0) done(Object.assign(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), { statusCode: 413 }))
    else done(null, chunk)
  }
}

/**
 * Requests without a valid token get `publicLimit` bytes of body (the other roles' 128 KiB), not
 * the listener's large limit meant for newPayloads: decided from the Authorization header before
 * a byte of the body is read. A declared Content-Length over the limit is answered 413 at once
 * (connection closed, the body never buffered); a chunked body is cut at the limit.
 */
export function installPublicBodyLimit(app: FastifyInstance, auth: EngineSimAuth, publicLimit: number): void {
  app.addHook('preParsing', async (req, reply, payload) => {
    if (req.method !== 'POST' || auth.valid(req.headers.authorization)) return payload
    const declared = req.headers['content-length']
    if (declared !== undefined) {
      if (Number(declared) > publicLimit) {
        reply.code(413).header('content-type', 'application/json').header('connection', 'close').send(tooLargeBody())
      }
      // Node reads exactly Content-Length bytes as the body: nothing more to bound.
      return payload
    }
    return payload.pipe(new ByteLimit(publicLimit))
  })
}
