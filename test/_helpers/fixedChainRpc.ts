import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { BlockRef } from '../../src/check/types.js'
import { toQuantity } from '../../src/util/hex.js'

export type FixedChainRpc = { url: string; close(): Promise<void> }

/**
 * A chain endpoint that stands still at `head`: eth_chainId, eth_blockNumber, and
 * eth_getBlockByNumber answering `head` for latest/safe/finalized and its number (null otherwise),
 * batches included. In front of an index written by writeIndexFixture (whose head this is), the
 * indexer finds nothing to fetch: the supervisor serves the fixture as it is.
 */
export async function startFixedChainRpc(chainId: bigint, head: BlockRef): Promise<FixedChainRpc> {
  const block = {
    number: toQuantity(head.number),
    hash: head.hash,
    parentHash: head.parentHash,
    timestamp: toQuantity(head.timestamp),
    logsBloom: `0x${'00'.repeat(256)}`,
    transactions: [],
  }
  const answer = (req: { id?: unknown; method?: unknown; params?: unknown[] }) => {
    const id = req.id ?? null
    switch (req.method) {
      case 'eth_chainId':
        return { jsonrpc: '2.0', id, result: toQuantity(chainId) }
      case 'eth_blockNumber':
        return { jsonrpc: '2.0', id, result: toQuantity(head.number) }
      case 'eth_getLogs':
        return { jsonrpc: '2.0', id, result: [] }
      case 'eth_getBlockByNumber': {
        const tag = req.params?.[0]
        const hit = tag === 'latest' || tag === 'safe' || tag === 'finalized' || tag === block.number
        return { jsonrpc: '2.0', id, result: hit ? block : null }
      }
      default:
        return {
          jsonrpc: '2.0',
          id,
          error: { code: -32601, message: `the method ${String(req.method)} does not exist/is not available` },
        }
    }
  }
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString()
    })
    req.on('end', () => {
      let out: unknown
      try {
        const parsed = JSON.parse(body) as Parameters<typeof answer>[0] | Parameters<typeof answer>[0][]
        out = Array.isArray(parsed) ? parsed.map(answer) : answer(parsed)
      } catch {
        out = { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
