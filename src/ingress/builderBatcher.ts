import type { RpcClient } from '../rpc/index.js'
import { RemoteRpcError } from '../rpc/index.js'

export type BuilderBatcherOptions = {
  /** How long a call waits for others before its batch is sent (the first call of a batch starts the clock). */
  flushMs: number
  /** Most calls in one batch request (a fuller queue sends the next batch at once). */
  maxBatch: number
  /** Calls queued or in flight beyond which new ones are dropped: a slow builder costs memory, not the ingress. */
  maxQueued: number
  /** Each call's outcome: answered (ok), answered with a JSON-RPC error (rejected), the batch failed (error), not queued (dropped). */
  outcome: (result: 'ok' | 'rejected' | 'error' | 'dropped', err?: Error) => void
}

/**
 * Fire-and-forget calls to one builder, sent as JSON-RPC batches: queued, and flushed `flushMs`
 * after the first queued call (or at once when `maxBatch` are waiting), one HTTP request per batch.
 * In the 3×3 topology each ingress sends every transaction to six builders and engines; at 70 tx/s
 * that was 420 HTTP requests a second across the three ingresses' peers, each a request parse and
 * a response on both sides.
 */
export class BuilderBatcher {
  readonly #client: RpcClient
  readonly #o: BuilderBatcherOptions
  #queue: { method: string; params: readonly unknown[] }[] = []
  #inFlight = 0
  #timer: NodeJS.Timeout | undefined
  #closed = false

  constructor(client: RpcClient, o: BuilderBatcherOptions) {
    this.#client = client
    this.#o = o
  }

  /** Calls queued and not yet answered (in a batch on the wire or waiting for one). */
  get pending(): number {
    return this.#queue.length + this.#inFlight
  }

  add(method: string, params: readonly unknown[]): void {
    if (this.#closed || this.pending >= this.#o.maxQueued) {
      this.#o.outcome('dropped')
      return
    }
    this.#queue.push({ method, params })
    if (this.#queue.length >= this.#o.maxBatch) this.#flush()
    else this.#timer ??= setTimeout(() => this.#flush(), this.#o.flushMs)
  }

  /** Stops the clock; what is still queued is not sent (counted dropped). */
  close(): void {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    for (const _ of this.#queue) this.#o.outcome('dropped')
    this.#queue = []
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    while (this.#queue.length > 0) {
      const calls = this.#queue.splice(0, this.#o.maxBatch)
      this.#inFlight += calls.length
      this.#client.batch(calls).then(
        (results) => {
          this.#inFlight -= calls.length
          for (const r of results) this.#o.outcome(r.ok ? 'ok' : 'rejected', r.ok ? undefined : r.error)
        },
        (err: unknown) => {
          this.#inFlight -= calls.length
          const e = err as Error
          // A batch refused whole (a JSON-RPC error object in place of the array) is every call's rejection.
          const result = err instanceof RemoteRpcError ? 'rejected' : 'error'
          for (const _ of calls) this.#o.outcome(result, e)
        },
      )
    }
  }
}
