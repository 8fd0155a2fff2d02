import { ExecutionCode, RpcCode } from '../../errors/index.js'
import type { Hex } from '../../interop/index.js'
import { RemoteRpcError, RpcClient, TransportError } from '../../rpc/index.js'
import { SupervisorRejectionError } from '../errors.js'
import type { CheckOutcome, ExecutingDescriptor } from './strategy.js'

/** Called once per answered check, for superguard_ingress_supervisor_checks_total. */
export type CheckObserver = (url: string, httpCode: number, rpcCode: number | undefined) => void

export type SupervisorEndpointOptions = {
  timeoutMs: number
  /** How long a failing endpoint is skipped by health-aware strategies. */
  cooldownMs: number
  /** Most checks coalesced into one JSON-RPC batch (1 = one HTTP request per check). */
  maxBatch?: number
  observe?: CheckObserver
  now?: () => number
}

/** Bound of one batch's body; a check bigger than half of it goes alone. */
const MAX_BATCH_BYTES = 64 * 1024
// JSON size of one call: an entry is a quoted 32-byte hex string and a comma; the rest is the envelope.
const ENTRY_BYTES = 69
const CALL_OVERHEAD_BYTES = 200

type Queued = {
  params: [readonly Hex[], 'cross-unsafe', ExecutingDescriptor]
  signal: AbortSignal | undefined
  resolve: (o: CheckOutcome) => void
}

// Not verdicts: the supervisor is behind (proxyd isSoftInteropFailure; op-interop-filter answers
// "not yet ingested" / "not yet cross-unsafe validated" with -321100 OutOfScope).
const SOFT: ReadonlySet<number> = new Set([RpcCode.FutureData, RpcCode.UninitializedChainDatabase, RpcCode.OutOfScope])
// Not verdicts: the supervisor failed internally (proxyd's JSONRPCErrorInternal and the spec's internal error).
const INTERNAL: ReadonlySet<number> = new Set([RpcCode.InternalError, ExecutionCode.ServerError])

/**
 * One supervisor (or op-interop-filter) URL: calls interop_checkAccessList with a deadline and
 * classifies the answer. Never rejects; keeps the endpoint's health for failover.
 */
export class SupervisorEndpoint {
  /** The URL without credentials or query, for logs and metric labels. */
  readonly label: string
  readonly #client: RpcClient
  readonly #opts: SupervisorEndpointOptions
  readonly #now: () => number
  readonly #maxBatch: number
  #queue: Queued[] = []
  #queueBytes = 0
  #scheduled: NodeJS.Immediate | undefined
  #unhealthyUntil = 0

  constructor(url: string, opts: SupervisorEndpointOptions) {
    const u = new URL(url)
    this.label = `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`
    this.#client = new RpcClient(url, { timeoutMs: opts.timeoutMs, maxResponseBytes: 1024 * 1024 })
    this.#opts = opts
    this.#now = opts.now ?? Date.now
    this.#maxBatch = opts.maxBatch ?? 100
  }

  /**
   * One check. Checks asked for in the same event-loop turn go out together as one JSON-RPC
   * batch (up to `maxBatch`): under load that is one HTTP exchange for many transactions, on
   * both sides; a lone check is a plain call and can be aborted.
   */
  check(entries: readonly Hex[], descriptor: ExecutingDescriptor, signal?: AbortSignal): Promise<CheckOutcome> {
    const bytes = CALL_OVERHEAD_BYTES + entries.length * ENTRY_BYTES
    if (this.#maxBatch <= 1 || bytes > MAX_BATCH_BYTES / 2) return this.#single(entries, descriptor, signal)
    // A batch stays well under a supervisor's body limit (128 KiB by default): one refused
    // batch would cost every transaction in it its verdict.
    if (this.#queueBytes + bytes > MAX_BATCH_BYTES) this.#flush()
    return new Promise<CheckOutcome>((resolve) => {
      this.#queue.push({ params: [entries, 'cross-unsafe', descriptor], signal, resolve })
      this.#queueBytes += bytes
      if (this.#queue.length >= this.#maxBatch) this.#flush()
      else this.#scheduled ??= setImmediate(() => this.#flush())
    })
  }

  #flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled)
    this.#scheduled = undefined
    const queued = this.#queue.filter((q) => {
      if (!q.signal?.aborted) return true
      q.resolve({ kind: 'aborted' })
      return false
    })
    this.#queue = []
    this.#queueBytes = 0
    if (queued.length === 0) return
    if (queued.length === 1) {
      const q = queued[0]!
      void this.#single(q.params[0], q.params[2], q.signal).then(q.resolve)
      return
    }
    this.#client.batch(queued.map((q) => ({ method: 'interop_checkAccessList', params: q.params }))).then(
      (results) => {
        for (const [i, r] of results.entries()) queued[i]!.resolve(r.ok ? this.#valid() : this.#rejected(r.error))
      },
      (err: unknown) => {
        // the whole exchange failed (transport, HTTP error, batch refused): no verdict for any
        const outcome = err instanceof RemoteRpcError ? this.#unavailable(err) : this.#transportFailure(err)
        for (const q of queued) q.resolve(outcome)
      },
    )
  }

  async #single(entries: readonly Hex[], descriptor: ExecutingDescriptor, signal?: AbortSignal): Promise<CheckOutcome> {
    try {
      await this.#client.call('interop_checkAccessList', [entries, 'cross-unsafe', descriptor], signal)
      return this.#valid()
    } catch (err) {
      if (signal?.aborted) return { kind: 'aborted' }
      return err instanceof RemoteRpcError ? this.#rejected(err) : this.#transportFailure(err)
    }
  }

  #valid(): CheckOutcome {
    this.#opts.observe?.(this.label, 200, undefined)
    return { kind: 'valid' }
  }

  #rejected(err: RemoteRpcError): CheckOutcome {
    if (err.status >= 500 || INTERNAL.has(err.rpcCode)) return this.#unavailable(err)
    this.#opts.observe?.(this.label, err.status, err.rpcCode)
    const error = new SupervisorRejectionError(err.rpcCode, err.shortMessage, err.data)
    if (err.rpcCode === RpcCode.FailsafeEnabled) return { kind: 'failsafe', error }
    return { kind: SOFT.has(err.rpcCode) ? 'soft' : 'invalid', error }
  }

  #unavailable(err: RemoteRpcError): CheckOutcome {
    this.#opts.observe?.(this.label, err.status, err.rpcCode)
    return { kind: 'unavailable', reason: `HTTP ${err.status}: ${err.shortMessage}` }
  }

  #transportFailure(err: unknown): CheckOutcome {
    this.#opts.observe?.(this.label, err instanceof TransportError ? (err.status ?? 0) : 0, undefined)
    return { kind: 'unavailable', reason: (err as Error).message }
  }

  isHealthy(): boolean {
    return this.#now() >= this.#unhealthyUntil
  }

  markUnhealthy(): void {
    this.#unhealthyUntil = this.#now() + this.#opts.cooldownMs
  }

  close(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled)
    for (const q of this.#queue) q.resolve({ kind: 'aborted' })
    this.#queue = []
    this.#queueBytes = 0
    this.#client.close()
  }
}
