import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type RpcProxyOptions = {
  /** Answer a JSON-RPC batch with HTTP 400, as endpoints without batch support do. */
  refuseBatches?: boolean
  /** Fail eth_getLogs over more blocks than this, as providers limiting ranges do. */
  maxLogRange?: number
  /**
   * Blocks eth_getBlockByNumber answers null for (singly and in batches) while the head is served,
   * as a lagging backend behind a load balancer does: block number → how many more times (Infinity:
   * until removed). The caller may change the map at any time.
   */
  missingBlocks?: Map<bigint, number>
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
        const text = await upstream.text()
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(hideBlocks(parsed, text))
      })().catch((err: unknown) => res.writeHead(502).end(String(err)))
    })
  })
  /** The upstream answer with eth_getBlockByNumber of a missing block's number turned into null. */
  const hideBlocks = (parsed: unknown, text: string): string => {
    const missing = opts.missingBlocks
    if (!missing || missing.size === 0) return text
    type Call = { id: unknown; method: string; params?: unknown[] }
    const hidden = new Set<unknown>()
    for (const r of Array.isArray(parsed) ? (parsed as Call[]) : [parsed as Call]) {
      if (r.method !== 'eth_getBlockByNumber' || !/^0x/.test(String(r.params?.[0]))) continue
      const n = BigInt(String(r.params![0]))
      const left = missing.get(n)
      if (left === undefined) continue
      hidden.add(r.id)
      if (left <= 1) missing.delete(n)
      else missing.set(n, left - 1)
    }
    if (hidden.size === 0) return text
    const answer = JSON.parse(text) as { id: unknown; result?: unknown } | { id: unknown; result?: unknown }[]
    for (const a of Array.isArray(answer) ? answer : [answer]) if (hidden.has(a.id)) a.result = null
    return JSON.stringify(answer)
  }
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
