import { RpcCode } from '../../errors/index.js'
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
  observe?: CheckObserver
  now?: () => number
}

// Not verdicts: the supervisor is behind (proxyd isSoftInteropFailure).
const SOFT: ReadonlySet<number> = new Set([RpcCode.FutureData, RpcCode.UninitializedChainDatabase])
// Not verdicts: the supervisor failed internally (proxyd's JSONRPCErrorInternal and the spec's internal error).
const INTERNAL: ReadonlySet<number> = new Set([RpcCode.InternalError, -32000])

/**
 * One supervisor (or op-interop-filter) URL: calls interop_checkAccessList with a deadline and
 * classifies the answer. Never throws; keeps the endpoint's health for failover.
 */
export class SupervisorEndpoint {
  /** The URL without credentials or query, for logs and metric labels. */
  readonly label: string
  readonly #client: RpcClient
  readonly #opts: SupervisorEndpointOptions
  readonly #now: () => number
  #unhealthyUntil = 0

  constructor(url: string, opts: SupervisorEndpointOptions) {
    const u = new URL(url)
    this.label = `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`
    this.#client = new RpcClient(url, { timeoutMs: opts.timeoutMs, maxResponseBytes: 1024 * 1024 })
    this.#opts = opts
    this.#now = opts.now ?? Date.now
  }

  async check(entries: readonly Hex[], descriptor: ExecutingDescriptor, signal?: AbortSignal): Promise<CheckOutcome> {
    try {
      await this.#client.call('interop_checkAccessList', [entries, 'cross-unsafe', descriptor], signal)
      this.#opts.observe?.(this.label, 200, undefined)
      return { kind: 'valid' }
    } catch (err) {
      if (signal?.aborted) return { kind: 'aborted' }
      if (err instanceof RemoteRpcError) {
        this.#opts.observe?.(this.label, err.status, err.rpcCode)
        if (err.status >= 500 || INTERNAL.has(err.rpcCode)) return { kind: 'unavailable', reason: `HTTP ${err.status}: ${err.shortMessage}` }
        const error = new SupervisorRejectionError(err.rpcCode, err.shortMessage, err.data)
        if (err.rpcCode === RpcCode.FailsafeEnabled) return { kind: 'failsafe', error }
        return { kind: SOFT.has(err.rpcCode) ? 'soft' : 'invalid', error }
      }
      const status = err instanceof TransportError ? err.status : undefined
      this.#opts.observe?.(this.label, status ?? 0, undefined)
      return { kind: 'unavailable', reason: (err as Error).message }
    }
  }

  isHealthy(): boolean {
    return this.#now() >= this.#unhealthyUntil
  }

  markUnhealthy(): void {
    this.#unhealthyUntil = this.#now() + this.#opts.cooldownMs
  }

  close(): void {
    this.#client.close()
  }
}
