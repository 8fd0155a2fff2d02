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

export function signJwt(secret: Buffer, nowS = Math.floor(Date.now() / 1000), claims: Record<string, unknown> = {}): string {
  const payload = b64url(JSON.stringify({ iat: nowS, ...claims }))
  const sig = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url')
  return `${HEADER}.${payload}.${sig}`
}

/** Returns undefined when the bearer token is valid, else the reason it is not. */
export function verifyJwt(secret: Buffer, authorization: string | string[] | undefined, nowS = Math.floor(Date.now() / 1000)): string | undefined {
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
  if (header === null || typeof header !== 'object' || payload === null || typeof payload !== 'object') return 'malformed token'
  if (header.alg !== 'HS256') return 'unsupported algorithm'
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest()
  const given = Buffer.from(s, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid signature'
  if (typeof payload.iat !== 'number') return 'missing iat'
  if (Math.abs(nowS - payload.iat) > JWT_IAT_WINDOW_S) return 'stale token (iat outside ±60s)'
  return undefined
}
