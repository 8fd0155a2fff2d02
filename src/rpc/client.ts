import { Agent, request as httpRequest } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { relayed } from '../errors/codes.js'
import { RpcCode, ServiceError } from '../errors/index.js'
import type { JsonRpcErrorObject } from './jsonrpc.js'
import { signJwt } from './jwt.js'

export type RpcClientOptions = {
  /** Per-request timeout; a request still running then fails with a TransportError. */
  timeoutMs?: number
  /** HS256 secret: every request carries a fresh Engine-API style bearer token. */
  jwtSecret?: Buffer
  /** Largest response body accepted, in bytes. */
  maxResponseBytes?: number
  headers?: Record<string, string>
}

/** A call that failed before a JSON-RPC answer arrived: refused, reset, timed out, non-JSON, HTTP 5xx without a body. */
export class TransportError extends Error {
  override name = 'TransportError'
  readonly status: number | undefined
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options)
    this.status = status
  }
}

/** A JSON-RPC error answer from the peer, with its code preserved so callers can classify it. */
export class RemoteRpcError extends ServiceError {
  override name = 'RemoteRpcError'
  readonly status: number
  constructor(error: JsonRpcErrorObject, status: number) {
    super('RPC_REMOTE_ERROR', relayed(error.code), error.message, { data: error.data })
    this.status = status
  }
}

export type RpcCallResult = { ok: true; result: unknown } | { ok: false; error: RemoteRpcError }

let nextId = 1

/**
 * Minimal JSON-RPC 2.0 client over node:http with keep-alive, used between superguard roles and
 * toward engines/builders: a single call throws RemoteRpcError or TransportError; a batch returns
 * one result per call in order (hot paths branch on results, never on exceptions).
 */
export class RpcClient {
  readonly url: URL
  readonly #opts: Required<Pick<RpcClientOptions, 'timeoutMs' | 'maxResponseBytes'>> & RpcClientOptions
  readonly #agent: Agent
  /** The bearer token of the current second: iat has 1 s resolution, so one HMAC a second is enough. */
  #token: { s: number; value: string } | undefined
  /** Size and JSON.parse time of the last answer (a large answer's parse is a cost of its own: 126 MB ≈ 1 s). */
  lastAnswer = { bytes: 0, parseMs: 0 }

  constructor(url: string, opts: RpcClientOptions = {}) {
    this.url = new URL(url)
    this.#opts = { timeoutMs: 5000, maxResponseBytes: 64 * 1024 * 1024, ...opts }
    this.#agent =
      this.url.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, maxSockets: 256 })
        : new Agent({ keepAlive: true, maxSockets: 256 })
  }

  async call<T = unknown>(method: string, params: readonly unknown[] = [], signal?: AbortSignal): Promise<T> {
    const { status, body } = await this.#post(JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }), signal)
    const res = body as { result?: unknown; error?: JsonRpcErrorObject } | undefined
    if (res && typeof res === 'object' && res.error && typeof res.error.code === 'number')
      throw new RemoteRpcError(res.error, status)
    if (!res || typeof res !== 'object' || !('result' in res))
      throw new TransportError(`invalid JSON-RPC response (HTTP ${status})`, status)
    return res.result as T
  }

  /** One HTTP request for many calls; results come back in call order whatever order the server used. */
  async batch(
    calls: readonly { method: string; params?: readonly unknown[] }[],
    signal?: AbortSignal,
  ): Promise<RpcCallResult[]> {
    const first = nextId
    nextId += calls.length
    const payload = calls.map((c, i) => ({ jsonrpc: '2.0', id: first + i, method: c.method, params: c.params ?? [] }))
    const { status, body } = await this.#post(JSON.stringify(payload), signal)
    if (!Array.isArray(body)) {
      const err = (body as { error?: JsonRpcErrorObject } | undefined)?.error
      if (err && typeof err.code === 'number') throw new RemoteRpcError(err, status)
      throw new TransportError(`invalid JSON-RPC batch response (HTTP ${status})`, status)
    }
    const out: (RpcCallResult | undefined)[] = new Array(calls.length)
    for (const r of body as { id?: unknown; result?: unknown; error?: JsonRpcErrorObject }[]) {
      const i = typeof r?.id === 'number' ? r.id - first : -1
      if (i < 0 || i >= calls.length) continue
      out[i] = r.error ? { ok: false, error: new RemoteRpcError(r.error, status) } : { ok: true, result: r.result }
    }
    return out.map(
      (r) =>
        r ?? {
          ok: false,
          error: new RemoteRpcError({ code: RpcCode.InternalError, message: 'missing response in batch' }, status),
        },
    )
  }

  close(): void {
    this.#agent.destroy()
  }

  #bearer(secret: Buffer): string {
    const s = Math.floor(Date.now() / 1000)
    if (this.#token?.s !== s) this.#token = { s, value: signJwt(secret, s) }
    return this.#token.value
  }

  #post(payload: string, signal?: AbortSignal): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
      ...this.#opts.headers,
    }
    if (this.#opts.jwtSecret) headers.authorization = `Bearer ${this.#bearer(this.#opts.jwtSecret)}`
    const request = this.url.protocol === 'https:' ? httpsRequest : httpRequest
    return new Promise((resolve, reject) => {
      const req = request(
        this.url,
        { method: 'POST', headers, agent: this.#agent, timeout: this.#opts.timeoutMs, signal },
        (res) => {
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (c: Buffer) => {
            size += c.length
            if (size > this.#opts.maxResponseBytes)
              req.destroy(new TransportError(`response larger than ${this.#opts.maxResponseBytes} bytes`))
            else chunks.push(c)
          })
          res.on('end', () => {
            const status = res.statusCode ?? 0
            const text = Buffer.concat(chunks).toString('utf8')
            try {
              const t = performance.now()
              const body = JSON.parse(text)
              this.lastAnswer = { bytes: size, parseMs: performance.now() - t }
              resolve({ status, body })
            } catch {
              reject(
                new TransportError(`HTTP ${status}: non-JSON response${text ? `: ${text.slice(0, 200)}` : ''}`, status),
              )
            }
          })
          res.on('error', (err) => reject(new TransportError(err.message, res.statusCode, { cause: err })))
        },
      )
      // A hard deadline on the whole exchange, not only on socket idleness.
      const timer = setTimeout(
        () => req.destroy(new TransportError(`timed out after ${this.#opts.timeoutMs}ms`)),
        this.#opts.timeoutMs,
      )
      req.on('close', () => clearTimeout(timer))
      req.on('timeout', () => req.destroy(new TransportError(`timed out after ${this.#opts.timeoutMs}ms`)))
      req.on('error', (err) =>
        reject(err instanceof TransportError ? err : new TransportError(err.message, undefined, { cause: err })),
      )
      req.end(payload)
    })
  }
}
