import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { Counter, Gauge, type Registry } from 'prom-client'
import { FailureLog } from '../util/failureLog.js'
import { StoreUnavailableError } from './errors.js'

export type RedisLinkOptions = {
  url: string
  /** Bound on every command, and on the first connection at start. */
  timeoutMs: number
  log: Logger
  /** Where `<prefix>_redis_up` and `<prefix>_redis_errors_total{op}` go (e.g. superguard_ingress). */
  registry?: Registry | undefined
  metricPrefix?: string
  /** How long start waits for a first connection before going on without it (default 2 × timeoutMs, ≥ 1 s). */
  connectWaitMs?: number
}

/** Time between reconnection attempts: 100 ms, 200 ms, … capped at 2 s (a restarted Redis is back within 2 s). */
const reconnectDelayMs = (attempt: number) => Math.min(100 * attempt, 2000)

/**
 * One Redis connection for a role's shared state, built so that Redis can never hang a request:
 * no offline queue (a command while disconnected fails at once instead of waiting for the
 * reconnection), no re-sending of commands lost with a connection, every command bounded by
 * `timeoutMs` (a Redis that stops answering, e.g. SIGSTOP or a full network buffer). Commands of one
 * event-loop turn travel as one pipeline (auto-pipelining), so many concurrent requests cost one
 * round trip. Failures are logged once per 10 s with their count, and counted by operation.
 */
export class RedisLink {
  readonly client: Redis
  /** The URL without credentials, for logs. */
  readonly label: string
  readonly #failures: FailureLog
  readonly #errors: Counter<'op'> | undefined
  #lastOk = false

  private constructor(o: RedisLinkOptions, RedisClient: typeof Redis) {
    this.label = redactUrl(o.url)
    this.client = new RedisClient(o.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: o.timeoutMs,
      connectTimeout: Math.max(1000, o.timeoutMs),
      retryStrategy: reconnectDelayMs,
      enableAutoPipelining: true,
      lazyConnect: true,
    })
    const log = o.log.child({ redis: this.label })
    this.#failures = new FailureLog(log, 'redis unavailable', 10_000)
    // ioredis emits 'error' for every failed (re)connection: counted into the same line.
    this.client.on('error', (err: Error) => this.#failures.failure(err, { op: 'connect' }))
    this.client.on('ready', () => {
      this.#lastOk = true
      this.#failures.success()
    })
    this.client.on('close', () => {
      this.#lastOk = false
    })
    if (o.registry) {
      const prefix = o.metricPrefix ?? 'superguard'
      this.#errors = new Counter({
        name: `${prefix}_redis_errors_total`,
        help: 'Redis commands that failed or timed out, by operation (the operation then failed open or closed)',
        labelNames: ['op'] as const,
        registers: [o.registry],
      })
      const self = this
      new Gauge({
        name: `${prefix}_redis_up`,
        help: 'Whether Redis is connected and its last command succeeded (1/0)',
        registers: [o.registry],
        collect() {
          this.set(self.up ? 1 : 0)
        },
      })
    }
  }

  /**
   * Connects, waiting at most `connectWaitMs` for Redis: a Redis that is down at start is logged and
   * the role starts anyway (each operation then fails open or closed until it is back).
   */
  static async open(o: RedisLinkOptions): Promise<RedisLink> {
    // Imported here: ioredis is ~50 modules (~0.2 CPU-s) that an ingress or sweep without --redis never needs.
    const { Redis: RedisClient } = await import('ioredis')
    const link = new RedisLink(o, RedisClient)
    const waitMs = o.connectWaitMs ?? Math.max(1000, 2 * o.timeoutMs)
    let timer: NodeJS.Timeout | undefined
    const connected = await Promise.race([
      link.client.connect().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), waitMs)
      }),
    ])
    clearTimeout(timer)
    if (!connected) link.#failures.failure(new Error(`no connection within ${waitMs} ms`), { op: 'connect' })
    return link
  }

  /** Connected, and the last command answered. */
  get up(): boolean {
    return this.#lastOk && this.client.status === 'ready'
  }

  /** Runs `fn`; any failure is counted, logged (once per interval) and thrown as StoreUnavailableError. */
  async run<T>(op: string, what: string, fn: (r: Redis) => Promise<T>): Promise<T> {
    try {
      const v = await fn(this.client)
      if (!this.#lastOk) {
        this.#lastOk = true
        this.#failures.success()
      }
      return v
    } catch (err) {
      this.#lastOk = false
      this.#errors?.inc({ op })
      this.#failures.failure(err, { op })
      throw new StoreUnavailableError(what, { cause: err })
    }
  }

  async close(): Promise<void> {
    this.#failures.close()
    this.client.disconnect(false)
  }
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`
  } catch {
    return 'redis'
  }
}
