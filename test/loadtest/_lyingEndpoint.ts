import { Agent, createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type LyingEndpoint = {
  url: string
  /** Requests received (bodies read in full). */
  received: number
  /** Answers turned around: a valid message refused, or a refused one accepted. */
  liesOnValid: number
  liesOnRefused: number
  close(): Promise<void>
}

/**
 * An interop checker written without superguard's code: it forwards each JSON-RPC request to a real
 * checker for the truth, holds every answer `delayMs`, and on every `lieEvery`-th answer says the
 * opposite (null ↔ -320600). It counts what it received and every lie it told, leaving out the
 * load generator's preflight requests (header `x-superguard-loadtest: probe`).
 */
export async function startLyingEndpoint(
  truth: string,
  opts: { delayMs: number; lieEvery: number },
): Promise<LyingEndpoint> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 })
  let answers = 0
  const state = { received: 0, liesOnValid: 0, liesOnRefused: 0 }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      // the load generator's own check before the load (header set by its preflight) is not load
      const probe = req.headers['x-superguard-loadtest'] === 'probe'
      if (!probe) state.received++
      const body = Buffer.concat(chunks)
      const started = Date.now()
      const upstream = request(
        truth,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
        (up) => {
          const parts: Buffer[] = []
          up.on('data', (c: Buffer) => parts.push(c))
          up.on('end', () => {
            let answer = JSON.parse(Buffer.concat(parts).toString()) as {
              id: unknown
              result?: unknown
              error?: unknown
            }
            if (!probe && ++answers % opts.lieEvery === 0) {
              if (answer.error === undefined) {
                state.liesOnValid++
                answer = { id: answer.id, error: { code: -320600, message: 'conflicting data' } }
              } else {
                state.liesOnRefused++
                answer = { id: answer.id, result: null }
              }
            }
            const text = JSON.stringify({ jsonrpc: '2.0', ...answer })
            setTimeout(
              () => {
                res.writeHead(200, { 'content-type': 'application/json' })
                res.end(text)
              },
              Math.max(0, opts.delayMs - (Date.now() - started)),
            )
          })
        },
      )
      upstream.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    get received() {
      return state.received
    },
    get liesOnValid() {
      return state.liesOnValid
    },
    get liesOnRefused() {
      return state.liesOnRefused
    },
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      agent.destroy()
    },
  }
}
