import type { Logger } from 'pino'
import type { ForkchoiceStateV1, Hex } from '../engine/types.js'
import type { StartBuildingParams } from '../pbs/index.js'
import { RpcClient } from '../rpc/client.js'
import type { Endpoint } from '../rpc/endpoint.js'
import type { Job } from './types.js'

/** Reachability of one peer as its last calls saw it; read by /healthz, never waited on. */
export class PeerHealth {
  ok = true
  lastError: string | undefined
  lastOkAt: number | undefined
  lastCallAt: number | undefined

  success(now = Date.now()): void {
    this.ok = true
    this.lastOkAt = now
    this.lastCallAt = now
    this.lastError = undefined
  }

  failure(err: unknown, now = Date.now()): void {
    this.ok = false
    this.lastCallAt = now
    this.lastError = (err as Error)?.message ?? String(err)
  }

  snapshot(): { ok: boolean; lastError?: string; lastOkAt?: number } {
    const s: { ok: boolean; lastError?: string; lastOkAt?: number } = { ok: this.ok }
    if (this.lastError !== undefined) s.lastError = this.lastError
    if (this.lastOkAt !== undefined) s.lastOkAt = this.lastOkAt
    return s
  }
}

export type BuilderClientOptions = { timeoutMs: number; maxInFlight: number; log: Logger }

/** The builder's name in metrics, logs and health: `name=` from the endpoint, else host:port. */
export function builderId(ep: Endpoint): string {
  return ep.name ?? new URL(ep.url).host
}

/**
 * superguard → PBS builder, fire-and-forget: every call has a short timeout, nobody awaits it, and a
 * builder that does not answer gets at most `maxInFlight` calls outstanding (later ones are dropped
 * and count as failures) so a hung builder costs a bounded number of sockets.
 */
export class PbsBuilderClient {
  readonly id: string
  readonly url: string
  readonly health = new PeerHealth()
  readonly #rpc: RpcClient
  readonly #o: BuilderClientOptions
  #inFlight = 0

  constructor(ep: Endpoint, o: BuilderClientOptions) {
    this.id = builderId(ep)
    this.url = ep.url
    this.#o = o
    this.#rpc = new RpcClient(ep.url, {
      timeoutMs: o.timeoutMs,
      ...(ep.jwtSecret ? { jwtSecret: ep.jwtSecret } : {}),
      maxResponseBytes: 1024 * 1024,
    })
  }

  startBuilding(job: Job): void {
    const params: StartBuildingParams = {
      jobId: job.jobId,
      parent: job.parent,
      attributes: job.attributes,
      deadline: job.deadline,
      engineVersion: job.engineVersion,
      ...(job.getPayloadVersion !== job.engineVersion ? { getPayloadVersion: job.getPayloadVersion } : {}),
    }
    this.#send('builder_startBuilding', [params])
  }

  deadline(job: Job): void {
    this.#send('builder_deadline', [{ jobId: job.jobId, deadline: job.deadline }])
  }

  #send(method: string, params: unknown[]): void {
    if (this.#inFlight >= this.#o.maxInFlight) {
      this.health.failure(new Error(`${this.#inFlight} calls still outstanding; ${method} dropped`))
      return
    }
    this.#inFlight++
    this.#rpc
      .call(method, params)
      .then(
        () => this.health.success(),
        (err: unknown) => {
          this.health.failure(err)
          this.#o.log.debug({ builder: this.id, method, err: (err as Error).message }, 'builder call failed')
        },
      )
      .finally(() => {
        this.#inFlight--
      })
  }

  close(): void {
    this.#rpc.close()
  }
}

type PulledPayload = {
  executionPayload: unknown
  blockValue?: unknown
  parentBeaconBlockRoot?: unknown
  executionRequests?: unknown
}

/**
 * An Engine-API builder (rollup-boost style, e.g. op-rbuilder): it gets the forkchoice update with
 * attributes (fire-and-forget) and its payload is pulled before the deadline, never after.
 * Its payload id is its own (engines disagree on ids), kept per job.
 */
export class EngineBuilderClient {
  readonly id: string
  readonly url: string
  readonly health = new PeerHealth()
  readonly #rpc: RpcClient
  readonly #sync: RpcClient
  readonly #o: BuilderClientOptions
  /** The builder's payload id per job, or the forkchoice update still in flight. */
  #payloadIds = new Map<Hex, Promise<Hex | undefined>>()
  #syncQueue: Promise<void> = Promise.resolve()
  #syncDepth = 0

  constructor(ep: Endpoint, o: BuilderClientOptions) {
    this.id = `engine:${builderId(ep)}`
    this.url = ep.url
    this.#o = o
    const base = { ...(ep.jwtSecret ? { jwtSecret: ep.jwtSecret } : {}) }
    this.#rpc = new RpcClient(ep.url, { ...base, timeoutMs: o.timeoutMs })
    // Chain-following traffic on its own sockets, so it never queues in front of job traffic.
    this.#sync = new RpcClient(ep.url, { ...base, timeoutMs: Math.max(o.timeoutMs, 2000) })
  }

  startJob(job: Job, state: ForkchoiceStateV1): void {
    if (this.#payloadIds.size > 16) this.#payloadIds.clear()
    const id = this.#rpc.call<{ payloadId?: Hex | null }>('engine_forkchoiceUpdatedV3', [state, job.attributes]).then(
      (r) => {
        this.health.success()
        return r?.payloadId ?? undefined
      },
      (err: unknown) => {
        this.health.failure(err)
        return undefined
      },
    )
    this.#payloadIds.set(job.jobId, id)
  }

  /**
   * The builder's payload for `job`, or undefined. Bounded by `until` (the deadline): the request
   * is aborted then, so an answer after the deadline is never used.
   */
  async pull(job: Job, until: number): Promise<(PulledPayload & { jobId: Hex }) | undefined> {
    const pending = this.#payloadIds.get(job.jobId)
    if (!pending || until <= Date.now()) return undefined
    const signal = AbortSignal.timeout(until - Date.now())
    // The forkchoice update may still be in flight; it is bounded by the same deadline.
    const id = await Promise.race([
      pending,
      new Promise<undefined>((r) => signal.addEventListener('abort', () => r(undefined))),
    ])
    if (!id || signal.aborted) return undefined
    try {
      const r = await this.#rpc.call<PulledPayload>(
        // After Karst an op-rbuilder answers engine_getPayloadV5 (its "karst getpayloadv5", #567).
        `engine_getPayloadV${job.getPayloadVersion}`,
        [id],
        signal,
      )
      this.health.success()
      if (Date.now() > until || !r || typeof r !== 'object') return undefined
      return { ...r, jobId: job.jobId }
    } catch (err) {
      this.health.failure(err)
      return undefined
    }
  }

  /**
   * Relays op-node's newPayload / forkchoice updates so the builder follows the chain ("boost sync"),
   * after op-node had its answer, in order, on a bounded queue: when the builder falls far behind,
   * new relays are dropped rather than queued without end.
   */
  relay(method: string, params: readonly unknown[]): void {
    if (this.#syncDepth >= 64) return
    this.#syncDepth++
    this.#syncQueue = this.#syncQueue
      .then(() => this.#sync.call(method, params))
      .then(
        () => undefined,
        (err: unknown) => {
          this.#o.log.debug({ builder: this.id, method, err: (err as Error).message }, 'builder relay failed')
        },
      )
      .finally(() => {
        this.#syncDepth--
      })
  }

  close(): void {
    this.#rpc.close()
    this.#sync.close()
  }
}
