import Fastify, { type FastifyInstance } from 'fastify'

/**
 * The floor for builder-submission ingest: bare fastify (default JSON parser) taking the same
 * pbs_submitBlock bodies and answering each with a rejection of the size superguard sends for a
 * repeat (`duplicate_block`), no auth, no checks. Whatever superguard spends above this per
 * submission is its own work.
 */
export async function startBareSubmitServer(): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 })
  app.post('/', (req, reply) => {
    const body = req.body as { id: unknown }
    void reply.send({ jsonrpc: '2.0', id: body.id, result: { status: 'rejected', reason: 'duplicate_block' } })
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url }
}
