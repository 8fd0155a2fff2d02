import { type ChildProcess, spawn } from 'node:child_process'
import { freePort } from '../../src/util/freePort.js'

export type RedisServer = {
  url: string
  port: number
  pid: number
  /** SIGKILL (an outage with no goodbye); resolves when the process is gone. */
  kill(): Promise<void>
  /** SIGSTOP / SIGCONT: the socket stays open and nothing answers (a hung Redis). */
  pause(): void
  resume(): void
  /** Stops it (SIGTERM, then SIGKILL after 2 s); safe to call twice. */
  stop(): Promise<void>
}

/**
 * Starts Debian's `redis-server` on 127.0.0.1 on a free port, without persistence (nothing on
 * disk), and resolves once it accepts connections (its "Ready to accept connections" line).
 * `port`: the port of one that was killed, to bring "the same" Redis back.
 */
export async function startRedisServer(opts: { port?: number } = {}): Promise<RedisServer> {
  const port = opts.port ?? (await freePort())
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let out = ''
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${out}`)), 10_000)
    child.once('error', (err) => {
      clearTimeout(deadline)
      reject(new Error(`cannot run redis-server (apt-get install redis-server): ${err.message}`))
    })
    child.once('exit', (code) => {
      clearTimeout(deadline)
      reject(new Error(`redis-server exited with ${code}:\n${out}`))
    })
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      if (out.includes('Ready to accept connections')) {
        clearTimeout(deadline)
        resolve()
      }
    })
  })
  child.stdout!.resume()
  child.stderr!.resume()
  const pid = child.pid!
  const signal = (s: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, s)
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid,
    kill: async () => {
      signal('SIGCONT')
      signal('SIGKILL')
      await exited
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    stop: async () => {
      signal('SIGCONT')
      signal('SIGTERM')
      const t = setTimeout(() => signal('SIGKILL'), 2000)
      await exited
      clearTimeout(t)
    },
  }
}
