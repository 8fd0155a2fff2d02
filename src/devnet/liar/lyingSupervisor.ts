import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import { RpcCode } from '../../errors/index.js'

/**
 * A TEST DOUBLE, devnet only: a proxy in front of one supervisor that, once switched on, answers the
 * interop checks wrongly — "valid" (result null) for what the supervisor refused as definitively
 * invalid, and ConflictingData for what it found valid. No production role imports it (the
 * supervisor has no lying mode); the 3x3 devnet puts it between the ingresses and sweeps and
 * supervisor 1, and the chaos step `{"fault": {"lie": "supervisor-1"}}` switches it with
 * `liar_setMode` on the proxy itself. Everything else (other methods, /healthz, /metrics) passes
 * through untouched, so while honest it is invisible.
 */
export type LyingSupervisor = {
  url: string
  readonly lying: boolean
  setLying(on: boolean): void
  /** Check answers turned around since start (valid → invalid, invalid → valid). */
  readonly lies: { toInvalid: number; toValid: number }
  close(): Promise<void>
}

/** The check methods whose answers are turned around (the ingress's, the sweep's). */
const CHECKS = new Set(['interop_checkAccessList', 'supervisor_checkAccessList'])
/** Verdicts that say "invalid for good" (sweep/classify.ts's evicting codes): told as valid. */
const DEFINITIVE = new Set<number>([RpcCode.ConflictingData, RpcCode.IneffectiveData, RpcCode.DataCorruption])
/** The sweep's chunks are 128 KiB bodies; a little room. */
const BODY_LIMIT = 1024 * 1024

type Call = { jsonrpc?: string; id?: unknown; method?: unknown; params?: unknown }
type Answer = { jsonrpc: '2.0'; id: unknown; result?: unknown; error?: { code: number; message: string } }

export async function startLyingSupervisor(o: {
  upstream: string
  host?: string
  port?: number
  log: Logger
}): Promise<LyingSupervisor> {
  const up = new URL(o.upstream)
  let lying = false
  const lies = { toInvalid: 0, toValid: 0 }
  const log = o.log.child({ double: 'lying-supervisor', upstream: o.upstream })

  const turn = (call: Call, a: Answer): Answer => {
    if (!lying || typeof call.method !== 'string' || !CHECKS.has(call.method)) return a
    if (a.error === undefined) {
      lies.toInvalid++
      return { jsonrpc: '2.0', id: a.id, error: { code: RpcCode.ConflictingData, message: 'conflicting data' } }
    }
    if (DEFINITIVE.has(a.error.code)) {
      lies.toValid++
      return { jsonrpc: '2.0', id: a.id, result: null }
    }
    return a
  }

  const forward = (req: IncomingMessage, body: Buffer | undefined, res: ServerResponse) => {
    const out = httpRequest(
      {
        host: up.hostname,
        port: up.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: up.host, 'content-length': body ? String(body.length) : '0' },
      },
      (r) => {
        const chunks: Buffer[] = []
        r.on('data', (c: Buffer) => chunks.push(c))
        r.on('end', () => {
          let text = Buffer.concat(chunks)
          if (body && lying && (r.headers['content-type'] ?? '').includes('json')) {
            try {
              const calls = JSON.parse(body.toString('utf8')) as Call | Call[]
              const answers = JSON.parse(text.toString('utf8')) as Answer | Answer[]
              const byId = (id: unknown) => (Array.isArray(calls) ? calls : [calls]).find((c) => c.id === id) ?? {}
              const turned = Array.isArray(answers)
                ? answers.map((a) => turn(byId(a.id), a))
                : turn(Array.isArray(calls) ? byId(answers.id) : calls, answers)
              text = Buffer.from(JSON.stringify(turned))
            } catch {
              // not JSON-RPC (a parse error answer): passed on as it came
            }
          }
          const headers = { ...r.headers, 'content-length': String(text.length) }
          delete headers['transfer-encoding']
          res.writeHead(r.statusCode ?? 502, headers)
          res.end(text)
        })
        r.on('error', () => res.destroy())
      },
    )
    out.on('error', (err) => {
      if (res.destroyed) return
      if (res.headersSent) return res.destroy()
      res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(`supervisor unreachable: ${err.message}`)
    })
    // A client that gives up (its own timeout while the supervisor is SIGSTOPped) ends the upstream
    // request too: otherwise each stayed open until the supervisor answered, one per request.
    res.on('close', () => {
      if (!res.writableFinished) out.destroy()
    })
    out.end(body)
  }

  const control = (body: Buffer, res: ServerResponse): boolean => {
    let call: Call
    try {
      call = JSON.parse(body.toString('utf8')) as Call
    } catch {
      return false
    }
    if (Array.isArray(call) || (call.method !== 'liar_setMode' && call.method !== 'liar_status')) return false
    let answer: Answer
    if (call.method === 'liar_setMode') {
      const p = Array.isArray(call.params) ? (call.params[0] as { lie?: unknown } | undefined) : undefined
      if (typeof p?.lie !== 'boolean')
        answer = {
          jsonrpc: '2.0',
          id: call.id ?? null,
          error: { code: RpcCode.InvalidParams, message: 'expected [{"lie": true|false}]' },
        }
      else {
        if (p.lie !== lying) log.warn({ lying: p.lie, lies }, p.lie ? 'lying from now on' : 'honest again')
        lying = p.lie
        answer = { jsonrpc: '2.0', id: call.id ?? null, result: { lying } }
      }
    } else answer = { jsonrpc: '2.0', id: call.id ?? null, result: { lying, lies } }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(answer))
    return true
  }

  const server = createServer((req, res) => {
    if (req.method !== 'POST') return forward(req, undefined, res)
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > BODY_LIMIT) {
        res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' })
        res.end('request body too large')
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => {
      if (res.writableEnded) return
      const body = Buffer.concat(chunks)
      if (!control(body, res)) forward(req, body, res)
    })
  })
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve())
  })
  const addr = server.address() as AddressInfo
  const url = `http://${addr.address}:${addr.port}`
  log.info({ url }, 'lying supervisor double listening (honest until liar_setMode)')
  return {
    url,
    get lying() {
      return lying
    },
    setLying(on: boolean) {
      lying = on
    },
    lies,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
