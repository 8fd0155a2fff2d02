import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net'

/**
 * How a killed pipe treats clients:
 *   refuse  the listener is closed: new connections get ECONNREFUSED (a stopped process)
 *   reset   connections are accepted and destroyed at once (a crashing proxy / RST)
 *   hang    connections are accepted and never forwarded nor answered (a black hole: only timeouts end them)
 */
export type PipeFault = 'refuse' | 'reset' | 'hang'

/**
 * A TCP pipe on 127.0.0.1 in front of `target`: point a client at `url` instead of the target, then
 * `kill()` it (every open connection is cut) and `restore()` it on the same port. Counts the
 * connections it saw, so a test can bound a client's retries during an outage.
 */
export class TcpPipe {
  readonly port: number
  readonly #target: { host: string; port: number }
  #server: Server
  #fault: PipeFault | undefined
  readonly #sockets = new Set<Socket>()
  /** Connections accepted (or refused while killed in reset/hang mode) since start. */
  connections = 0
  /** Connections that arrived while the pipe was killed (refused ones are invisible in refuse mode). */
  faulted = 0

  private constructor(server: Server, port: number, target: { host: string; port: number }) {
    this.#server = server
    this.port = port
    this.#target = target
  }

  /** A pipe to `target` (a URL or host:port) on a free port of 127.0.0.1. */
  static async start(target: string): Promise<TcpPipe> {
    const u = new URL(target.includes('://') ? target : `tcp://${target}`)
    const t = { host: u.hostname, port: Number(u.port) }
    let pipe: TcpPipe | undefined
    const server = createServer((s) => pipe!.#accept(s))
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
    pipe = new TcpPipe(server, (server.address() as AddressInfo).port, t)
    return pipe
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  get killed(): boolean {
    return this.#fault !== undefined
  }

  /** Cuts every open connection; new ones are treated as `fault` says until `restore()`. */
  async kill(fault: PipeFault = 'refuse'): Promise<void> {
    this.#fault = fault
    for (const s of this.#sockets) s.destroy()
    this.#sockets.clear()
    if (fault === 'refuse') await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  /** Forwards again (listening on the same port again after a `refuse` kill). */
  async restore(): Promise<void> {
    const was = this.#fault
    if (was === undefined) return
    if (was === 'hang') for (const s of this.#sockets) s.destroy()
    this.#sockets.clear()
    if (was === 'refuse') {
      const server = createServer((s) => this.#accept(s))
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', resolve))
      this.#server = server
    }
    this.#fault = undefined
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy()
    this.#sockets.clear()
    if (this.#server.listening) await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #accept(client: Socket): void {
    this.connections++
    client.on('error', () => undefined)
    if (this.#fault === 'reset') {
      this.faulted++
      client.resetAndDestroy()
      return
    }
    this.#sockets.add(client)
    client.once('close', () => this.#sockets.delete(client))
    if (this.#fault === 'hang') {
      this.faulted++
      return
    }
    const upstream = connect(this.#target.port, this.#target.host)
    this.#sockets.add(upstream)
    upstream.once('close', () => {
      this.#sockets.delete(upstream)
      client.destroy()
    })
    client.once('close', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
    client.pipe(upstream)
    upstream.pipe(client)
  }
}
