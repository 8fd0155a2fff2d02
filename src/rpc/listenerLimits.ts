import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { DEFAULT_LISTENER_LIMITS, type ListenerLimits } from './limits.js'
import { type ListenerMetrics, listenerMetrics } from './metrics.js'

export { DEFAULT_LISTENER_LIMITS, type ListenerLimits, listenerLimits } from './limits.js'

/** How often expired requests and stalled writes are looked for: a tenth of the shorter timeout, 100 ms…1 s. */
export function checkIntervalMs(l: ListenerLimits): number {
  return Math.min(1_000, Math.max(100, Math.floor(Math.min(l.headersTimeoutMs, l.requestTimeoutMs) / 10)))
}

/**
 * Pipelined requests of one connection whose answers wait behind an unfinished one. Honest
 * pipelining clients keep ≤ 10 in flight (the check benchmark runs 10); 16 such answers of the
 * 8 MiB response cap bound what one connection can make us hold.
 */
export const MAX_QUEUED_RESPONSES = 16

export type LimitedServer = {
  server: Server
  /** Answers client errors (timeouts, bad HTTP) with a JSON-RPC body; attached to `server`. */
  clientErrorHandler: (err: Error & { code?: string }, socket: Socket) => void
  /** Connections open now. */
  connections(): number
  /** Response bytes waiting in the sockets' buffers (not yet taken by the kernel). */
  bufferedBytes(): number
}

const LOG_INTERVAL_MS = 10_000
const kQueued = Symbol('queuedResponses')
type CountedSocket = Socket & { [kQueued]?: number }

/**
 * A node:http server with `limits` applied, serving `handler` behind a gate. Node 20 enforces
 * requestTimeout/headersTimeout only every `connectionsCheckingInterval` (30 s by default: a
 * 10 s timeout cut after up to 40 s), so the interval is a tenth of the timeout. Node has no limit
 * for clients that do not read: the gate closes a connection whose socket buffer is over its
 * high-water mark or that has more than MAX_QUEUED_RESPONSES pipelined answers waiting, before
 * any work for the request, and drops requests already parsed from a closed connection (100
 * pipelining clients that never read grew RSS ~137 MB/s before, past 1 GB in 6 s); a sweep on
 * the checking interval closes connections whose buffered answer made no progress for
 * requestTimeoutMs. Refusals and drops are counted and logged once per 10 s with a count.
 */
export function createLimitedServer(
  partial: Partial<ListenerLimits>,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  o: { name: string; logger?: Logger; registry?: Registry },
): LimitedServer {
  const limits: ListenerLimits = { ...DEFAULT_LISTENER_LIMITS, ...partial }
  const requestTimeoutMs = limits.requestTimeoutMs
  const interval = checkIntervalMs(limits)
  const counts = { refused: 0, timeout: 0, clientError: 0, stalled: 0, notReading: 0 }
  const drop = (socket: Socket) => {
    counts.notReading++
    metrics?.dropped('not_reading')
    socket.destroy()
  }
  const gate = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket as CountedSocket
    if (socket.destroyed) return
    if (socket.writableNeedDrain) return drop(socket)
    if (res.socket === null) {
      // Queued behind an unfinished answer of the same connection (pipelining).
      const queued = (socket[kQueued] ?? 0) + 1
      if (queued > MAX_QUEUED_RESPONSES) return drop(socket)
      socket[kQueued] = queued
      res.once('socket', () => {
        socket[kQueued]!--
      })
    }
    handler(req, res)
  }
  const server = createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.min(limits.headersTimeoutMs, requestTimeoutMs),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: interval,
    },
    gate,
  )
  server.maxConnections = limits.maxConnections

  const sockets = new Set<Socket>()
  const stalls = new Map<Socket, { flushed: number; since: number }>()
  let lastLog = performance.now()
  const limited: LimitedServer = {
    server,
    clientErrorHandler: (err, socket) => {
      const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      if (err.code === 'ECONNRESET' || socket.destroyed) return
      if (timeout) {
        counts.timeout++
        metrics?.dropped('timeout')
      } else {
        counts.clientError++
        metrics?.dropped('client_error')
      }
      // As node:http: answer only if no response has started on this socket.
      const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage
      if (socket.writable && !inFlight?.headersSent) {
        const [status, text, message] = timeout
          ? [408, 'Request Timeout', `request not received within ${requestTimeoutMs} ms`]
          : err.code === 'HPE_HEADER_OVERFLOW'
            ? [431, 'Request Header Fields Too Large', 'request headers too large']
            : [400, 'Bad Request', 'malformed HTTP request']
        const body = JSON.stringify({
          jsonrpc: '2.0',
          id: null,
          error: { code: -32600, message: `invalid request: ${message}` },
        })
        socket.write(
          `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
        )
      }
      socket.destroy()
    },
    connections: () => sockets.size,
    bufferedBytes: () => {
      let n = 0
      for (const s of sockets) n += s.writableLength
      return n
    },
  }
  const metrics: ListenerMetrics | undefined = o.registry ? listenerMetrics(o.registry, o.name, limited) : undefined
  server.on('clientError', limited.clientErrorHandler)
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.once('close', () => {
      sockets.delete(s)
      stalls.delete(s)
    })
  })
  server.on('drop', () => {
    counts.refused++
    metrics?.refused()
  })

  const sweep = () => {
    const now = performance.now()
    for (const s of sockets) {
      const pending = s.writableLength
      if (pending === 0) {
        if (stalls.size > 0) stalls.delete(s)
        continue
      }
      // bytesWritten counts the buffered bytes too: what the kernel took is the difference.
      const flushed = s.bytesWritten - pending
      const st = stalls.get(s)
      if (st === undefined || st.flushed !== flushed) {
        stalls.set(s, { flushed, since: now })
        continue
      }
      if (now - st.since >= requestTimeoutMs) {
        stalls.delete(s)
        counts.stalled++
        metrics?.dropped('stalled_write')
        s.destroy()
      }
    }
    if (now - lastLog >= LOG_INTERVAL_MS) {
      lastLog = now
      const { refused, timeout, clientError, stalled, notReading } = counts
      if (refused + timeout + clientError + stalled + notReading > 0) {
        const fields = {
          listener: o.name,
          refused,
          timedOut: timeout,
          clientErrors: clientError,
          stalledWrites: stalled,
          notReading,
          open: sockets.size,
          seconds: LOG_INTERVAL_MS / 1000,
        }
        if (refused > 0)
          o.logger?.warn(
            { ...fields, maxConnections: limits.maxConnections },
            'connections refused over the connection cap',
          )
        else o.logger?.info(fields, 'slow or broken clients disconnected')
        counts.refused = counts.timeout = counts.clientError = counts.stalled = counts.notReading = 0
      }
    }
  }
  let timer: NodeJS.Timeout | undefined
  server.on('listening', () => {
    timer ??= setInterval(sweep, interval).unref()
  })
  server.on('close', () => {
    clearInterval(timer)
    timer = undefined
    metrics?.forget()
  })
  return limited
}
