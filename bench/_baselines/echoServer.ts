import Fastify, { type FastifyInstance } from 'fastify'

/**
 * The baseline for JSON-RPC throughput: bare fastify, default JSON parser, answering every
 * request object with its own params. Anything superguard adds is measured against this.
 * `spinUs` > 0 burns that much CPU per request first: what any server doing that much more work
 * per request than the echo would answer (the floor experiment of bench:check).
 */
export async function startEchoServer(opts: { spinUs?: number } = {}): Promise<{ app: FastifyInstance; url: string }> {
  const spinMs = (opts.spinUs ?? 0) / 1000
  const app = Fastify({ logger: false })
  app.post('/', async (req) => {
    if (spinMs > 0) for (const until = performance.now() + spinMs; performance.now() < until; );
    const body = req.body as { id: unknown; params: unknown } | { id: unknown; params: unknown }[]
    if (Array.isArray(body)) return body.map((r) => ({ jsonrpc: '2.0', id: r.id, result: r.params }))
    return { jsonrpc: '2.0', id: body.id, result: body.params }
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url }
}
