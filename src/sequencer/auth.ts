import type { FastifyInstance } from 'fastify'
import { RpcCode } from '../errors/index.js'
import { checkJwt, JwtCache } from '../rpc/jwt.js'

/** Header the auth hook sets to the authenticated builder's id; a client-sent value is always replaced. */
export const BUILDER_HEADER = 'x-superguard-builder'

export type Identity = { id: string; secret: Buffer }

/**
 * Which identity's secret verifies the bearer token (HS256, iat within ±60 s). With one secret per
 * builder, the secret that verifies names the builder. Returns the id, or the reason none did
 * (preferring a reason from a token whose signature matched, e.g. a stale iat).
 */
export function identify(
  ids: readonly Identity[],
  authorization: string | string[] | undefined,
  nowS = Math.floor(Date.now() / 1000),
): { id: string; iat: number } | { error: string } {
  let error = 'no identity configured'
  for (const who of ids) {
    const r = checkJwt(who.secret, authorization, nowS)
    if (typeof r !== 'string') return { id: who.id, iat: r.iat }
    if (error === 'no identity configured' || r.startsWith('stale')) error = r
  }
  return { error }
}

/** Simple token bucket per key; `take` is O(1) and needs no timer. */
export class RateLimiter {
  readonly #rate: number
  readonly #burst: number
  readonly #buckets = new Map<string, { tokens: number; at: number }>()

  constructor(perSecond: number, burst = Math.max(1, perSecond * 2)) {
    this.#rate = perSecond
    this.#burst = burst
  }

  take(key: string, now = performance.now()): boolean {
    if (this.#rate <= 0) return true
    let b = this.#buckets.get(key)
    if (!b) this.#buckets.set(key, (b = { tokens: this.#burst, at: now }))
    b.tokens = Math.min(this.#burst, b.tokens + ((now - b.at) / 1000) * this.#rate)
    b.at = now
    if (b.tokens < 1) return false
    b.tokens -= 1
    return true
  }
}

/** The JSON-RPC body of an HTTP 401 on superguard's own listeners (builder API, debug listener). */
export const unauthorized = (message: string) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id: null,
    error: { code: RpcCode.Unauthorized, message: `unauthorized: ${message}` },
  })

/**
 * Authenticates every POST before its body is read (an unauthenticated or flooding peer never costs
 * a JSON parse): HTTP 401 on a bad token, 429 over the rate. GETs (/healthz, /metrics) stay open.
 */
export function installJwtAuth(
  app: FastifyInstance,
  ids: () => readonly Identity[],
  limiter?: RateLimiter,
  onReject?: (why: string) => void,
): void {
  const known = new JwtCache<string>()
  // Callback style, not async: an async hook costs every submission a promise and a microtask.
  app.addHook('onRequest', (req, reply, done) => {
    if (req.method !== 'POST') return done()
    delete req.headers[BUILDER_HEADER]
    const authorization = req.headers.authorization
    const nowS = Math.floor(Date.now() / 1000)
    let id = typeof authorization === 'string' ? known.get(authorization, nowS) : undefined
    if (id === undefined) {
      const who = identify(ids(), authorization, nowS)
      if ('error' in who) {
        onReject?.('unauthorized')
        reply.code(401).header('content-type', 'application/json').send(unauthorized(who.error))
        return
      }
      known.set(authorization as string, (id = who.id), who.iat)
    }
    if (limiter && !limiter.take(id)) {
      onReject?.('rate_limited')
      reply
        .code(429)
        .header('content-type', 'application/json')
        .send(
          JSON.stringify({
            jsonrpc: '2.0',
            id: null,
            error: { code: RpcCode.OverSenderRateLimit, message: 'over rate limit' },
          }),
        )
      return
    }
    req.headers[BUILDER_HEADER] = id
    done()
  })
}
