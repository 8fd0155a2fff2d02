import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type RpcProxyOptions = {
  /** Answer a JSON-RPC batch with HTTP 400, as endpoints without batch support do. */
  refuseBatches?: boolean
  /** Fail eth_getLogs over more blocks than this, as providers limiting ranges do. */
  maxLogRange?: number
}

export type RpcProxy = { url: string; calls: Map<string, number>; close(): Promise<void> }

/** A JSON-RPC proxy on 127.0.0.1 in front of `target` that imitates restrictive public endpoints. */
export async function startRpcProxy(target: string, opts: RpcProxyOptions = {}): Promise<RpcProxy> {
  const calls = new Map<string, number>()
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString()
    })
    req.on('end', () => {
      void (async () => {
        const parsed = JSON.parse(body) as { id: unknown; method: string; params?: unknown[] } | unknown[]
        if (Array.isArray(parsed) && opts.refuseBatches) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              jsonrpc: '2.0',
              id: null,
              error: { code: -32600, message: 'batch requests are not supported' },
            }),
          )
          return
        }
        for (const r of Array.isArray(parsed) ? parsed : [parsed]) {
          const { method } = r as { method: string }
          calls.set(method, (calls.get(method) ?? 0) + 1)
        }
        if (!Array.isArray(parsed) && parsed.method === 'eth_getLogs' && opts.maxLogRange !== undefined) {
          const f = (parsed.params?.[0] ?? {}) as { fromBlock: string; toBlock: string }
          if (Number(BigInt(f.toBlock) - BigInt(f.fromBlock)) + 1 > opts.maxLogRange) {
            res.writeHead(200, { 'content-type': 'application/json' }).end(
              JSON.stringify({
                jsonrpc: '2.0',
                id: parsed.id,
                error: { code: -32005, message: 'query returned more than 10000 results' },
              }),
            )
            return
          }
        }
        const upstream = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text())
      })().catch((err: unknown) => res.writeHead(502).end(String(err)))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
