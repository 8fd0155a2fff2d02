import { createHmac } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { JWT_IAT_WINDOW_S, readJwtSecret, signJwt, verifyJwt } from '../../src/rpc/index.js'
import { checkJwt, JwtCache } from '../../src/rpc/jwt.js'

const SECRET_HEX = '688f5d737bad920bdfb2fc2f488d6b6209eebda1dae949a8de91398d932c517a'
const secret = Buffer.from(SECRET_HEX, 'hex')
const now = 1_746_536_469
const bearer = (t: string) => `Bearer ${t}`
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')
/** A token with arbitrary header and payload, correctly signed. */
function craft(header: unknown, payload: unknown, key = secret): string {
  const hp = `${b64(header)}.${b64(payload)}`
  return `${hp}.${createHmac('sha256', key).update(hp).digest('base64url')}`
}

const dir = mkdtempSync(join(tmpdir(), 'superguard-jwt-'))

test('a freshly signed token verifies', () => {
  assert.is(verifyJwt(secret, bearer(signJwt(secret, now)), now), undefined)
  assert.is(verifyJwt(secret, bearer(signJwt(secret)), undefined), undefined)
})

test('extra claims are signed too', () => {
  const token = signJwt(secret, now, { id: 'builder-1' })
  assert.equal(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()), { iat: now, id: 'builder-1' })
  assert.is(verifyJwt(secret, bearer(token), now), undefined)
})

test('the header is HS256/JWT', () => {
  assert.equal(JSON.parse(Buffer.from(signJwt(secret, now).split('.')[0]!, 'base64url').toString()), {
    alg: 'HS256',
    typ: 'JWT',
  })
})

test('a wrong secret or tampered payload is an invalid signature', () => {
  const other = Buffer.alloc(32, 7)
  assert.is(verifyJwt(other, bearer(signJwt(secret, now)), now), 'invalid signature')
  const [h, , s] = signJwt(secret, now).split('.')
  assert.is(verifyJwt(secret, bearer(`${h}.${b64({ iat: now + 1 })}.${s}`), now), 'invalid signature')
  assert.is(verifyJwt(secret, bearer(`${h}.${b64({ iat: now })}.`), now), 'invalid signature')
})

test('iat within ±60 s is accepted; 61 s either way is stale', () => {
  assert.is(JWT_IAT_WINDOW_S, 60)
  assert.is(verifyJwt(secret, bearer(signJwt(secret, now - 60)), now), undefined)
  assert.is(verifyJwt(secret, bearer(signJwt(secret, now + 60)), now), undefined)
  assert.is(verifyJwt(secret, bearer(signJwt(secret, now - 61)), now), 'stale token (iat outside ±60s)')
  assert.is(verifyJwt(secret, bearer(signJwt(secret, now + 61)), now), 'stale token (iat outside ±60s)')
})

test('alg none and other algorithms are refused', () => {
  const payload = b64({ iat: now })
  assert.is(verifyJwt(secret, bearer(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`), now), 'unsupported algorithm')
  assert.is(verifyJwt(secret, bearer(craft({ alg: 'none' }, { iat: now })), now), 'unsupported algorithm')
  assert.is(verifyJwt(secret, bearer(craft({ alg: 'HS512' }, { iat: now })), now), 'unsupported algorithm')
  assert.is(verifyJwt(secret, bearer(craft({}, { iat: now })), now), 'unsupported algorithm')
})

test('a missing or non-numeric iat is refused', () => {
  assert.is(verifyJwt(secret, bearer(craft({ alg: 'HS256' }, {})), now), 'missing iat')
  assert.is(verifyJwt(secret, bearer(craft({ alg: 'HS256' }, { iat: String(now) })), now), 'missing iat')
})

test('malformed tokens are refused, never thrown', () => {
  for (const t of [
    '',
    'abc',
    'a.b',
    'a.b.c.d',
    `${b64('{')}.${b64({ iat: now })}.x`,
    `${b64({ alg: 'HS256' })}.${b64('not json')}.x`,
  ]) {
    assert.is(verifyJwt(secret, bearer(t), now), 'malformed token', t)
  }
  // JSON that is not an object
  for (const [h, p] of [
    ['null', { iat: now }],
    [{ alg: 'HS256' }, 'null'],
    ['5', { iat: now }],
    [{ alg: 'HS256' }, '"x"'],
  ] as const) {
    assert.is(
      verifyJwt(secret, bearer(craft(h, p)), now),
      'malformed token',
      `${JSON.stringify(h)} ${JSON.stringify(p)}`,
    )
  }
})

test('the authorization header must be a single Bearer value', () => {
  const t = signJwt(secret, now)
  assert.is(verifyJwt(secret, undefined, now), 'missing bearer token')
  assert.is(verifyJwt(secret, t, now), 'missing bearer token')
  assert.is(verifyJwt(secret, `bearer ${t}`, now), 'missing bearer token')
  assert.is(verifyJwt(secret, [bearer(t)], now), 'missing bearer token')
  assert.is(verifyJwt(secret, `Bearer  ${t} `, now), undefined)
})

test('readJwtSecret reads 32 hex bytes with or without 0x and surrounding whitespace', () => {
  const a = join(dir, 'a.hex')
  const b = join(dir, 'b.hex')
  writeFileSync(a, `0x${SECRET_HEX}\n`)
  writeFileSync(b, `  ${SECRET_HEX.toUpperCase()}  `)
  assert.equal(readJwtSecret(a), secret)
  assert.equal(readJwtSecret(b), secret)
})

test('readJwtSecret refuses short, long, non-hex and missing files', () => {
  for (const [name, content] of [
    ['short', SECRET_HEX.slice(2)],
    ['long', `${SECRET_HEX}00`],
    ['nothex', 'zz'.repeat(32)],
    ['empty', ''],
    ['twice', `0x0x${SECRET_HEX}`],
  ]) {
    const p = join(dir, name!)
    writeFileSync(p, content!)
    assert.throws(
      () => readJwtSecret(p),
      (e: Error) => e.message === `${p}: a JWT secret must be 32 bytes of hex`,
      name,
    )
  }
  assert.throws(
    () => readJwtSecret(join(dir, 'missing')),
    (e: Error) => (e as NodeJS.ErrnoException).code === 'ENOENT',
  )
})

test('checkJwt gives the iat of a valid token, the reason otherwise', () => {
  assert.equal(checkJwt(secret, bearer(signJwt(secret, now - 5)), now), { iat: now - 5 })
  assert.is(checkJwt(secret, bearer(signJwt(Buffer.alloc(32, 1), now)), now), 'invalid signature')
})

test('JwtCache: a remembered token counts until its iat leaves the ±60 s window; bounded', () => {
  const cache = new JwtCache<string>(2)
  const token = bearer(signJwt(secret, now))
  assert.is(cache.get(token, now), undefined)
  cache.set(token, 'alice', now)
  assert.is(cache.get(token, now + JWT_IAT_WINDOW_S), 'alice')
  assert.is(cache.get(token, now + JWT_IAT_WINDOW_S + 1), undefined, 'stale: forgotten')
  assert.is(cache.get(token, now), undefined, 'and stays forgotten')
  cache.set('a', 'x', now)
  cache.set('b', 'y', now)
  cache.set('c', 'z', now) // full: cleared first
  assert.equal([cache.get('a', now), cache.get('b', now), cache.get('c', now)], [undefined, undefined, 'z'])
})

test.after(() => rmSync(dir, { recursive: true, force: true }))
test.run()
