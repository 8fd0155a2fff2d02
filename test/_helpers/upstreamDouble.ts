import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { bytesToHex, hexToBytes } from '../../src/util/hex.js'
import { keccak256 } from '../../src/util/keccak.js'

export type UpstreamDouble = {
  url: string
  /** Raw transactions received through eth_sendRawTransaction(Conditional), in order (kept up to `keep`). */
  received: string[]
  /** Count of every submission, also past `keep`. */
  submissions: number
  /** Resolves once `raw` has been submitted (at once if it already was). */
  waitFor(raw: string): Promise<void>
  close(): Promise<void>
}

/**
 * An execution engine that answers instantly: eth_chainId, eth_blockNumber (0x2a), and eth_sendRawTransaction with the
 * transaction hash (keccak of the raw bytes). Plain node:http, so a benchmark measures the
 * ingress in front of it, not this.
 */
export async function startUpstreamDouble(opts: { chainId: bigint; keep?: number }): Promise<UpstreamDouble> {
  const keep = opts.keep ?? 10_000
  const chainIdHex = `0x${opts.chainId.toString(16)}`
  const waiters = new Map<string, (() => void)[]>()
  const self: UpstreamDouble = {
    url: '',
    received: [],
    submissions: 0,
    waitFor: (raw) =>
      self.received.includes(raw)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.set(raw, [...(waiters.get(raw) ?? []), resolve])),
    close: async () => {},
  }
  const answer = (req: { id?: unknown; method?: unknown; params?: unknown[] }) => {
    const id = req.id ?? null
    if (req.method === 'eth_chainId') return { jsonrpc: '2.0', id, result: chainIdHex }
    if (req.method === 'eth_blockNumber') return { jsonrpc: '2.0', id, result: '0x2a' }
    if (req.method === 'eth_sendBundle') {
      const txs = (req.params?.[0] as { txs?: string[] } | undefined)?.txs ?? []
      for (const raw of txs) if (self.received.length < keep) self.received.push(raw)
      return {
        jsonrpc: '2.0',
        id,
        result: {
          bundleHash: bytesToHex(keccak256(hexToBytes(`0x${txs.map((t) => t.slice(2)).join('')}`))),
        },
      }
    }
    if (
      req.method === 'eth_sendRawTransaction' ||
      req.method === 'eth_sendRawTransactionConditional' ||
      req.method === 'eth_sendRawTransactionSync'
    ) {
      const raw = String(req.params?.[0])
      self.submissions++
      if (self.received.length < keep) self.received.push(raw)
      for (const w of waiters.get(raw) ?? []) w()
      waiters.delete(raw)
      return { jsonrpc: '2.0', id, result: bytesToHex(keccak256(hexToBytes(raw))) }
    }
    return {
      jsonrpc: '2.0',
      id,
      error: { code: -32601, message: `the method ${String(req.method)} does not exist/is not available` },
    }
  }
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      let out: unknown
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
        out = Array.isArray(body) ? body.map(answer) : answer(body as Record<string, never>)
      } catch {
        out = { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } }
      }
      const text = JSON.stringify(out)
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
      res.end(text)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  self.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  self.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return self
}
