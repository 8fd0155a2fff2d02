import { connect, type Socket } from 'node:net'

/**
 * How a slow client misbehaves:
 * - `trickle-body`: whole headers (Content-Length: bodyBytes), then the body one byte per tick;
 * - `trickle-headers`: the request line and headers one byte per tick;
 * - `headers-only`: whole headers announcing a body that never comes;
 * - `idle`: connects and sends nothing;
 * - `no-read`: pipelines `request` as fast as the socket takes it and never reads an answer.
 */
export type SlowMode = 'trickle-body' | 'trickle-headers' | 'headers-only' | 'idle' | 'no-read'

export type SlowClientOptions = {
  port: number
  host?: string
  count: number
  mode: SlowMode
  /** Time between two trickled bytes (one timer for every socket); default 1,000 ms. */
  intervalMs?: number
  path?: string
  /** Declared body size of the trickle modes; default 1,000 (the trickle never ends first). */
  bodyBytes?: number
  /** The JSON body `no-read` pipelines. */
  request?: string
  /** `no-read`: false sends the request once (default true: as many as the socket takes). */
  pipeline?: boolean
  /** Connections being opened at once (a burst above the listen backlog, 511, gets SYNs dropped); default 200. */
  concurrency?: number
}

export type SlowSocket = {
  socket: Socket
  openedAt: number
  /** performance.now() when the server closed or reset it (undefined while open). */
  closedAt: number | undefined
  /** The first bytes the server sent back (a 408/400 answer, if any). */
  received: string
  /** The socket error that closed it (ECONNRESET…), if any. */
  error: string | undefined
}

export type SlowClients = {
  readonly clients: readonly SlowSocket[]
  /** Connections the server accepted and has not closed yet. */
  open(): number
  /** Resolves when every connection is closed by the server, or after `timeoutMs` (then false). */
  allClosed(timeoutMs: number): Promise<boolean>
  /** Requests `no-read` has written so far. */
  sent(): number
  /** Destroys every socket (idempotent): tests call it in `finally`. */
  destroy(): void
}

const LIMIT_RECEIVED = 256

/**
 * Opens `count` raw TCP connections to a listener that misbehave as `mode` says, for the fault
 * tests of every listener (item 3 of issue 7: 10k sockets trickling bytes exhausted a supervisor).
 * Everything is bounded: one interval for all trickles, at most `concurrency` connects in flight,
 * and `destroy()` releases every socket.
 */
export async function openSlowClients(o: SlowClientOptions): Promise<SlowClients> {
  const host = o.host ?? '127.0.0.1'
  const path = o.path ?? '/'
  const bodyBytes = o.bodyBytes ?? 1000
  const intervalMs = o.intervalMs ?? 1000
  const request = o.request ?? '{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]}'
  const headers = `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${bodyBytes}\r\n\r\n`
  const pipelined = Buffer.from(
    `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(request)}\r\n\r\n${request}`,
  )
  const clients: SlowSocket[] = []
  const progress = new Map<SlowSocket, number>()
  let sent = 0
  let destroyed = false
  const waiters = new Set<() => void>()
  const openCount = () => clients.reduce((n, c) => n + (c.closedAt === undefined ? 1 : 0), 0)

  // 64 requests per write, one write per socket per event-loop turn: the kernel takes megabytes
  // per loopback socket at once, and a synchronous loop until it is full froze this process 19 s.
  const PER_WRITE = 64
  const burst = Buffer.concat(Array.from({ length: PER_WRITE }, () => pipelined))
  const pump = (c: SlowSocket) => {
    if (destroyed || c.closedAt !== undefined) return
    if (o.pipeline === false) {
      c.socket.write(pipelined)
      sent++
      return
    }
    sent += PER_WRITE
    if (c.socket.write(burst)) setImmediate(pump, c)
  }

  const connectOne = () =>
    new Promise<void>((resolve) => {
      const socket = connect({ host, port: o.port })
      const c: SlowSocket = { socket, openedAt: performance.now(), closedAt: undefined, received: '', error: undefined }
      clients.push(c)
      socket.setNoDelay(true)
      const closed = () => {
        if (c.closedAt !== undefined) return
        c.closedAt = performance.now()
        resolve()
        if (openCount() === 0) for (const w of waiters) w()
      }
      socket.on('close', closed)
      socket.on('error', (err: NodeJS.ErrnoException) => {
        c.error ??= err.code ?? err.message
        closed()
      })
      socket.on('data', (d: Buffer) => {
        if (c.received.length < LIMIT_RECEIVED)
          c.received += d.toString('latin1', 0, Math.min(d.length, LIMIT_RECEIVED))
      })
      socket.once('connect', () => {
        resolve()
        if (o.mode === 'trickle-body' || o.mode === 'headers-only') socket.write(headers)
        if (o.mode === 'trickle-body' || o.mode === 'trickle-headers') progress.set(c, 0)
        if (o.mode === 'no-read') {
          socket.pause()
          if (o.pipeline !== false) socket.on('drain', () => pump(c))
          pump(c)
        }
      })
    })

  // A client that never reads learns of the server's close only by writing: a single-request
  // no-read socket sends a CRLF each tick (HTTP allows empty lines between requests).
  const probes = o.mode === 'no-read' && o.pipeline === false
  const timer =
    o.mode === 'trickle-body' || o.mode === 'trickle-headers' || probes
      ? setInterval(() => {
          if (probes) {
            for (const c of clients) if (c.closedAt === undefined) c.socket.write('\r\n')
            return
          }
          for (const [c, at] of progress) {
            if (c.closedAt !== undefined) {
              progress.delete(c)
              continue
            }
            // The body trickle stops one byte short: the request never completes on its own.
            if (at >= (o.mode === 'trickle-headers' ? headers.length : bodyBytes - 1)) continue
            c.socket.write(o.mode === 'trickle-headers' ? headers[at]! : ' ')
            progress.set(c, at + 1)
          }
        }, intervalMs)
      : undefined

  const concurrency = o.concurrency ?? 200
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, o.count) }, async () => {
      while (next < o.count && !destroyed) {
        next++
        await connectOne()
      }
    }),
  )

  return {
    clients,
    open: openCount,
    sent: () => sent,
    allClosed: (timeoutMs) =>
      new Promise<boolean>((resolve) => {
        if (openCount() === 0) return resolve(true)
        const done = () => {
          clearTimeout(t)
          waiters.delete(done)
          resolve(openCount() === 0)
        }
        const t = setTimeout(done, timeoutMs)
        waiters.add(done)
      }),
    destroy() {
      destroyed = true
      if (timer) clearInterval(timer)
      for (const c of clients) c.socket.destroy()
      for (const w of waiters) w()
    },
  }
}
