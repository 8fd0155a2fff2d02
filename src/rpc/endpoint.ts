import { readJwtSecret } from './jwt.js'

/** A peer given as `URL[,jwt=FILE][,name=NAME]` (engine, replicas, builders). */
export type Endpoint = { url: string; jwtFile?: string; jwtSecret?: Buffer; name?: string }

export class EndpointError extends Error {
  override name = 'EndpointError'
}

/** Parses `URL[,jwt=FILE][,name=NAME]` and reads the secret file, so a bad file fails at start, not at the first block. */
export function parseEndpoint(spec: string, what: string): Endpoint {
  const [url, ...opts] = spec.split(',').map((s) => s.trim())
  if (!url) throw new EndpointError(`${what}: empty URL`)
  try {
    const u = new URL(url)
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)')
  } catch {
    throw new EndpointError(`${what}: "${url}" is not an http(s) URL`)
  }
  const ep: Endpoint = { url }
  for (const o of opts) {
    const n = /^name=([\w.:-]+)$/.exec(o)
    if (n) {
      ep.name = n[1]!
      continue
    }
    const m = /^jwt=(.+)$/.exec(o)
    if (!m) throw new EndpointError(`${what}: unknown endpoint option "${o}" (expected jwt=FILE or name=NAME)`)
    ep.jwtFile = m[1]!
    try {
      ep.jwtSecret = readJwtSecret(m[1]!)
    } catch (err) {
      throw new EndpointError(`${what}: ${(err as Error).message}`)
    }
  }
  return ep
}

/** `host:port` (port 0 = any free port). */
export function parseListen(spec: string, what: string): { host: string; port: number } {
  const i = spec.lastIndexOf(':')
  const host = i <= 0 ? '127.0.0.1' : spec.slice(0, i).replace(/^\[|\]$/g, '')
  const port = Number(i === -1 ? spec : spec.slice(i + 1))
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new EndpointError(`${what}: "${spec}" is not host:port`)
  return { host, port }
}
