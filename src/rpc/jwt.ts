import { createHmac, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'

/**
 * HS256 JWTs as the Engine API uses them: a 32-byte hex secret, a token whose `iat`
 * is within ±60 s of now. Shared by the admin API, the engine proxy and builder auth.
 */
export const JWT_IAT_WINDOW_S = 60

export function readJwtSecret(path: string): Buffer {
  const text = readFileSync(path, 'utf8').trim().replace(/^0x/, '')
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new Error(`${path}: a JWT secret must be 32 bytes of hex`)
  return Buffer.from(text, 'hex')
}

const b64url = (buf: Buffer | string) => Buffer.from(buf).toString('base64url')
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))

export function signJwt(
  secret: Buffer,
  nowS = Math.floor(Date.now() / 1000),
  claims: Record<string, unknown> = {},
): string {
  const payload = b64url(JSON.stringify({ iat: nowS, ...claims }))
  const sig = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url')
  return `${HEADER}.${payload}.${sig}`
}

/** Returns undefined when the bearer token is valid, else the reason it is not. */
export function verifyJwt(
  secret: Buffer,
  authorization: string | string[] | undefined,
  nowS = Math.floor(Date.now() / 1000),
): string | undefined {
  const r = checkJwt(secret, authorization, nowS)
  return typeof r === 'string' ? r : undefined
}

/** As verifyJwt, with the valid token's `iat` (for callers that remember tokens, see JwtCache). */
export function checkJwt(
  secret: Buffer,
  authorization: string | string[] | undefined,
  nowS = Math.floor(Date.now() / 1000),
): { iat: number } | string {
  if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) return 'missing bearer token'
  const parts = authorization.slice(7).trim().split('.')
  if (parts.length !== 3) return 'malformed token'
  const [h, p, s] = parts as [string, string, string]
  let header: { alg?: unknown }
  let payload: { iat?: unknown }
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'))
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'))
  } catch {
    return 'malformed token'
  }
  // JSON.parse accepts `null`, numbers and arrays; only objects are tokens
  if (header === null || typeof header !== 'object' || payload === null || typeof payload !== 'object')
    return 'malformed token'
  if (header.alg !== 'HS256') return 'unsupported algorithm'
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest()
  const given = Buffer.from(s, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid signature'
  if (typeof payload.iat !== 'number') return 'missing iat'
  if (Math.abs(nowS - payload.iat) > JWT_IAT_WINDOW_S) return 'stale token (iat outside ±60s)'
  return { iat: payload.iat }
}

/**
 * Bearer tokens already verified, with whom they identified. Engine-API clients sign a token per
 * request, but `iat` has one-second resolution, so most requests repeat the previous token: a
 * repeat then costs a map look-up instead of an HMAC per configured secret (~50 µs on op-node's
 * seal path). A token is only ever a key here after its signature checked out; it stops counting
 * when its `iat` leaves the ±60 s window. Bounded: cleared when full.
 */
export class JwtCache<T> {
  readonly #max: number
  readonly #seen = new Map<string, { who: T; iat: number }>()

  constructor(max = 256) {
    this.#max = max
  }

  get(authorization: string, nowS: number): T | undefined {
    const hit = this.#seen.get(authorization)
    if (!hit) return undefined
    if (Math.abs(nowS - hit.iat) <= JWT_IAT_WINDOW_S) return hit.who
    this.#seen.delete(authorization)
    return undefined
  }

  set(authorization: string, who: T, iat: number): void {
    if (this.#seen.size >= this.#max) this.#seen.clear()
    this.#seen.set(authorization, { who, iat })
  }
}
