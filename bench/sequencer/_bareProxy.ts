import { Agent, createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { signJwt } from '../../src/rpc/jwt.js'

/**
 * The cheapest Engine API proxy possible, as a floor for superguard's added latency: node:http in,
 * the body forwarded byte for byte with a fresh engine JWT (as any proxy in front of an engine must
 * sign), the answer streamed back. No JSON parsing, no auth check, no logic. The difference between
 * it and a direct call is the price of one more hop on this machine; superguard's own work is what
 * it adds on top.
 */
export async function startBareProxy(
  engineUrl: string,
  engineSecret: Buffer,
): Promise<{ url: string; getPayloadMs: number[]; close(): Promise<void> }> {
  const target = new URL(engineUrl)
  const agent = new Agent({ keepAlive: true, maxSockets: 64 })
  // The engine's getPayload times as this proxy saw them, in call order (the pairing superguard's
  // sealed events give, without parsing: op-node's calls are sequential).
  const getPayloadMs: number[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const t0 = performance.now()
      if (body.includes('engine_getPayload')) res.once('finish', () => getPayloadMs.push(upstreamMs))
      let upstreamMs = NaN
      const out = request(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': String(body.length),
            authorization: `Bearer ${signJwt(engineSecret)}`,
          },
        },
        (up) => {
          up.once('end', () => {
            upstreamMs = performance.now() - t0
          })
          res.writeHead(up.statusCode ?? 502, { 'content-type': 'application/json' })
          up.pipe(res)
        },
      )
      out.on('error', () => {
        res.writeHead(502)
        res.end()
      })
      out.end(body)
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    getPayloadMs,
    close: () =>
      new Promise<void>((r) => {
        agent.destroy()
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
