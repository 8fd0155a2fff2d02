import type { Logger } from 'pino'
import { InvalidParamsError } from '../errors/index.js'
import { RemoteRpcError, RpcClient, TransportError } from '../rpc/index.js'
import { FailureLog } from '../util/failureLog.js'
import { UpstreamUnavailableError } from './errors.js'
import type { IngressMetrics } from './metrics.js'

export type ForwarderOptions = {
  upstreamTimeoutMs: number
  builderTimeoutMs: number
  /** Builder calls in flight per builder beyond which new ones are dropped (a slow builder costs nothing). */
  maxBuilderInFlight?: number
  metrics?: IngressMetrics | undefined
  log: Logger
}

/**
 * Sends calls on: to the upstream execution engine (its answer is the caller's answer; its
 * JSON-RPC errors are relayed as they are) and, for transactions, to every builder without
 * waiting (the seed's PBS fan-out: ingress feeds both).
 */
export class Forwarder {
  readonly #upstream: RpcClient
  readonly #builders: { client: RpcClient; inFlight: number }[]
  readonly #o: ForwarderOptions
  readonly #maxInFlight: number
  /** One warning per 10 s while the upstream is down, not one per request; one line when it answers again. */
  readonly #failures: FailureLog

  constructor(upstreamUrl: string, builderUrls: readonly string[], opts: ForwarderOptions) {
    this.#upstream = new RpcClient(upstreamUrl, { timeoutMs: opts.upstreamTimeoutMs })
    this.#builders = builderUrls.map((u) => ({
      client: new RpcClient(u, { timeoutMs: opts.builderTimeoutMs, maxResponseBytes: 64 * 1024 }),
      inFlight: 0,
    }))
    this.#o = opts
    this.#maxInFlight = opts.maxBuilderInFlight ?? 1024
    this.#failures = new FailureLog(opts.log, 'upstream call failed', 10_000)
  }

  /**
   * Calls the upstream; throws its RemoteRpcError unchanged, UpstreamUnavailableError when the
   * exchange failed (TransportError), InvalidParamsError for params JSON cannot encode (a
   * RangeError before any byte left: once answered 503 "upstream unavailable" with it up).
   */
  async call(method: string, params: readonly unknown[]): Promise<unknown> {
    try {
      const result = await this.#upstream.call(method, params)
      this.#failures.success()
      return result
    } catch (err) {
      if (err instanceof RemoteRpcError) {
        this.#failures.success() // it answered: up
        throw err
      }
      if (err instanceof RangeError) throw new InvalidParamsError('params nested too deep to forward', { cause: err })
      if (!(err instanceof TransportError)) throw err
      this.#failures.failure(err, { method })
      throw new UpstreamUnavailableError({ cause: err })
    }
  }

  /** A transaction submission: to every builder without waiting, and to the upstream, whose answer is returned. */
  async submit(method: string, params: readonly unknown[]): Promise<unknown> {
    for (const b of this.#builders) this.#toBuilder(b, method, params)
    const m = this.#o.metrics
    try {
      const result = await this.call(method, params)
      m?.forwards.inc({ target: 'upstream', result: 'ok' })
      return result
    } catch (err) {
      m?.forwards.inc({ target: 'upstream', result: err instanceof RemoteRpcError ? 'rejected' : 'error' })
      throw err
    }
  }

  close(): void {
    this.#upstream.close()
    for (const b of this.#builders) b.client.close()
  }

  #toBuilder(b: { client: RpcClient; inFlight: number }, method: string, params: readonly unknown[]): void {
    const m = this.#o.metrics
    if (b.inFlight >= this.#maxInFlight) {
      m?.forwards.inc({ target: 'builder', result: 'dropped' })
      return
    }
    b.inFlight++
    b.client
      .call(method, params)
      .then(
        () => m?.forwards.inc({ target: 'builder', result: 'ok' }),
        (err: unknown) => {
          m?.forwards.inc({ target: 'builder', result: err instanceof RemoteRpcError ? 'rejected' : 'error' })
          this.#o.log.debug(
            { builder: b.client.url.host, err: (err as Error).message },
            'builder did not take the transaction',
          )
        },
      )
      .finally(() => {
        b.inFlight--
      })
  }
}
