import { verifyJwt } from '../rpc/jwt.js'

/** Methods that need a bearer token: the Engine API, and the sim's own fault controls. */
export const needsAuth = (method: string) => method.startsWith('engine_') || method.startsWith('sim_')

/**
 * Whether a raw JSON-RPC body calls an authenticated method. A substring test first keeps the
 * public eth_ path free of a second JSON.parse.
 */
export function callsAuthMethod(body: string): boolean {
  if (!body.includes('engine_') && !body.includes('sim_')) return false
  let parsed: unknown
  try { parsed = JSON.parse(body) } catch { return false }
  const calls = Array.isArray(parsed) ? parsed : [parsed]
  return calls.some((c) => c !== null && typeof c === 'object' && typeof (c as { method?: unknown }).method === 'string' && needsAuth((c as { method: string }).method))
}

/**
 * geth's wording for a refused token (node/jwt_handler.go answers HTTP 401 with a plain-text
 * reason): "missing token", "stale token", "future token", "missing issued-at", "signature is invalid".
 */
export function jwtRejection(secret: Buffer, authorization: string | string[] | undefined, nowS = Math.floor(Date.now() / 1000)): string | undefined {
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
