import type { Logger } from 'pino'
import { InvalidParamsError } from '../errors/index.js'
import { RemoteRpcError, RpcClient, TransportError } from '../rpc/index.js'
import { FailureLog } from '../util/failureLog.js'
import { BuilderBatcher } from './builderBatcher.js'
import { UpstreamUnavailableError } from './errors.js'
import type { IngressMetrics } from './metrics.js'

/**
 * Most calls in one batch to a builder: 100 eth_sendRawTransaction of ~300 bytes is ~30 KB of
 * request, under every role's body limit and its default batch size (1,000).
 */
export const BUILDER_BATCH_MAX = 100

type Builder = { client: RpcClient; inFlight: number; batcher: BuilderBatcher | undefined }

/** The reason of every dropped builder call: one object, not a new Error (and its stack) per drop in a flood. */
const QUEUE_FULL = new Error('queue full')

export type ForwarderOptions = {
  upstreamTimeoutMs: number
  builderTimeoutMs: number
  /** Builder calls in flight per builder beyond which new ones are dropped (a slow builder costs nothing). */
  maxBuilderInFlight?: number
  /**
   * `--builder-batch`: queue builder calls and send them as one JSON-RPC batch per builder every this
   * many ms (at most BUILDER_BATCH_MAX calls a batch; `maxBuilderInFlight` bounds queued + in flight).
   * 0 or absent: one HTTP call per transaction per builder, at once.
   */
  builderBatchMs?: number
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
  readonly #builders: Builder[]
  readonly #o: ForwarderOptions
  readonly #maxInFlight: number
  /** One warning per 10 s while the upstream is down, not one per request; one line when it answers again. */
  readonly #failures: FailureLog
  /** Builder calls dropped (queue or in-flight bound reached): one warning per 10 s with the count. */
  readonly #drops: FailureLog

  constructor(upstreamUrl: string, builderUrls: readonly string[], opts: ForwarderOptions) {
    this.#upstream = new RpcClient(upstreamUrl, { timeoutMs: opts.upstreamTimeoutMs })
    this.#o = opts
    this.#maxInFlight = opts.maxBuilderInFlight ?? 1024
    this.#failures = new FailureLog(opts.log, 'upstream call failed', 10_000)
    this.#drops = new FailureLog(opts.log, 'builder calls dropped: too many queued or in flight', 10_000, {
      flush: true,
    })
    const batchMs = opts.builderBatchMs ?? 0
    this.#builders = builderUrls.map((u) => {
      // A batch answers up to 100 results (~100 bytes each): 64 KiB is still ample.
      const client = new RpcClient(u, { timeoutMs: opts.builderTimeoutMs, maxResponseBytes: 64 * 1024 })
      const batcher =
        batchMs > 0
          ? new BuilderBatcher(client, {
              flushMs: batchMs,
              maxBatch: BUILDER_BATCH_MAX,
              maxQueued: this.#maxInFlight,
              outcome: (result, err) => this.#builderOutcome(client, result, err),
            })
          : undefined
      return { client, inFlight: 0, batcher }
    })
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
    for (const b of this.#builders) {
      b.batcher?.close()
      b.client.close()
    }
    this.#drops.close()
  }

  #toBuilder(b: Builder, method: string, params: readonly unknown[]): void {
    if (b.batcher) {
      b.batcher.add(method, params)
      return
    }
    if (b.inFlight >= this.#maxInFlight) {
      this.#builderOutcome(b.client, 'dropped')
      return
    }
    b.inFlight++
    b.client
      .call(method, params)
      .then(
        () => this.#builderOutcome(b.client, 'ok'),
        (err: unknown) =>
          this.#builderOutcome(b.client, err instanceof RemoteRpcError ? 'rejected' : 'error', err as Error),
      )
      .finally(() => {
        b.inFlight--
      })
  }

  /** One builder call's outcome, batched or not: the forwards metric, a debug line per refusal, drops logged. */
  #builderOutcome(client: RpcClient, result: 'ok' | 'rejected' | 'error' | 'dropped', err?: Error): void {
    this.#o.metrics?.forwards.inc({ target: 'builder', result })
    if (result === 'dropped') this.#drops.failure(QUEUE_FULL, { builder: client.url.host })
    else if (result !== 'ok')
      this.#o.log.debug({ builder: client.url.host, err: err?.message }, 'builder did not take the transaction')
  }
}
