import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type RpcGate = {
  url: string
  /** Requests held so far (not counting eth_chainId and eth_blockNumber, which always pass). */
  readonly held: number
  /** Lets every held and future request through. */
  open(): void
  close(): Promise<void>
}

/**
 * An HTTP JSON-RPC proxy on 127.0.0.1 in front of `target` that holds every request except
 * eth_chainId and eth_blockNumber until open(): a process behind it starts but cannot index or poll, so a test can
 * observe the "not ready yet" state for as long as it likes, then release it. No timing involved.
 */
export async function startRpcGate(target: string): Promise<RpcGate> {
  let isOpen = false
  let held = 0
  const waiting: (() => void)[] = []
  const forward = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = Buffer.concat(chunks).toString()
    let onlyChainId = false
    try {
      const parsed = JSON.parse(body) as { method?: string } | { method?: string }[]
      // The indexer's start-up probe batches eth_blockNumber with eth_chainId to learn whether the
      // endpoint takes batches; neither lets it index anything.
      onlyChainId = (Array.isArray(parsed) ? parsed : [parsed]).every(
        (r) => r.method === 'eth_chainId' || r.method === 'eth_blockNumber',
      )
    } catch {
      // forward as is
    }
    if (!isOpen && !onlyChainId) {
      held++
      await new Promise<void>((resolve) => waiting.push(resolve))
    }
    try {
      const up = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      })
      res.writeHead(up.status, { 'content-type': 'application/json' }).end(await up.text())
    } catch {
      res.writeHead(502).end()
    }
  }
  const server = createServer((req, res) => {
    forward(req, res).catch(() => res.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    get held() {
      return held
    },
    open() {
      isOpen = true
      for (const w of waiting.splice(0)) w()
    },
    async close() {
      isOpen = true
      for (const w of waiting.splice(0)) w()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
