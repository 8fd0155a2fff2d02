import { RpcCode } from '../errors/index.js'
import { LoadtestError } from './errors.js'
import type { WireRequest } from './protocol.js'
import { answerKey } from './workload.js'

/**
 * Sends a few requests before the load, one at a time, each within `timeoutMs`: the target must
 * answer, in JSON-RPC, and serve the method. Otherwise one clear LoadtestError (exit 2) instead of a
 * run full of connection errors or "wrong verdicts" that are really a wrong URL.
 */
export async function preflight(
  url: string,
  requests: readonly WireRequest[],
  method: string,
  timeoutMs: number,
): Promise<void> {
  for (const r of requests) {
    let status: number
    let text: string
    try {
      const res = await fetch(r.path === undefined ? url : new URL(r.path, url), {
        method: r.method ?? 'POST',
        // marked, so a target's logs (and a test's counting endpoint) can tell them from the load
        headers: { ...(r.headers ?? { 'content-type': 'application/json' }), 'x-superguard-loadtest': 'probe' },
        body: r.body,
        signal: AbortSignal.timeout(timeoutMs),
      })
      status = res.status
      text = await res.text()
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } }
      const why =
        e.name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : (e.cause?.code ?? e.cause?.message ?? e.message)
      throw new LoadtestError(`target ${url} unreachable: ${why}`, { cause: err })
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new LoadtestError(`target ${url} does not answer JSON-RPC: HTTP ${status} ${quote(text)}`)
    }
    const answers = Array.isArray(parsed) ? parsed : [parsed]
    const keys = answers.map(answerKey)
    if (answers.length === 0 || keys.some((k) => k === undefined))
      throw new LoadtestError(`target ${url} does not answer JSON-RPC: HTTP ${status} ${quote(text)}`)
    if (keys.includes(String(RpcCode.MethodNotFound)))
      throw new LoadtestError(`target ${url} does not serve ${method}: ${quote(text)}`)
  }
}

const quote = (text: string) => JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)
