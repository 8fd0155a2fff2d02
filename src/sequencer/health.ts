import type { Logger } from 'pino'
import type { RpcClient } from '../rpc/client.js'
import type { Health } from '../rpc/server.js'
import { PeerHealth } from './builderClient.js'
import type { SequencerEvents } from './events.js'
import type { ReplicaStatus } from './replicas.js'
import type { ExecutionMode } from './types.js'

export type HealthStatus = 'healthy' | 'partial' | 'unhealthy'

const RANK: Record<HealthStatus, number> = { healthy: 0, partial: 1, unhealthy: 2 }

export type HealthMonitorOptions = {
  engine: RpcClient
  supervisor?: RpcClient
  builders: () => { id: string; ok: boolean }[]
  mode: () => ExecutionMode
  intervalMs: number
  /** The engine's latest block older than this makes the engine unhealthy (rollup-boost max-unsafe-interval); 0 = off. */
  maxUnsafeAgeMs: number
  log: Logger
  events?: SequencerEvents
  /** Standalone: the replicas' positions, reported in the body (they never change the status code). */
  replicas?: () => ReplicaStatus[]
}

const HTTP: Record<HealthStatus, number> = { healthy: 200, partial: 206, unhealthy: 503 }

/**
 * /healthz as op-conductor reads rollup-boost's: 200 engine and builders fine, 206 engine fine and
 * no builder fine (blocks are local), 503 engine down or stale, or the supervisor down (so
 * leadership moves away from a sequencer that cannot check interop messages). Probes run on a
 * timer with their own clients; the hot path also reports engine failures as it sees them. The
 * body names lagging or stranded replicas (`laggingReplicas`) without changing the code.
 */
export class HealthMonitor {
  readonly engine = new PeerHealth()
  readonly supervisor = new PeerHealth()
  readonly #o: HealthMonitorOptions
  #timer: NodeJS.Timeout | undefined
  #headAgeMs: number | undefined
  #last: HealthStatus | undefined
  #probing = false

  constructor(o: HealthMonitorOptions) {
    this.#o = o
  }

  start(): void {
    void this.probe()
    this.#timer = setInterval(() => void this.probe(), this.#o.intervalMs)
  }

  /** One probe round (engine head, supervisor sync status); resolves when both answered or failed. */
  async probe(): Promise<void> {
    if (this.#probing) return
    this.#probing = true
    try {
      await Promise.all([this.#probeEngine(), this.#probeSupervisor()])
    } finally {
      this.#probing = false
    }
    this.status()
  }

  async #probeEngine(): Promise<void> {
    try {
      const b = await this.#o.engine.call<{ timestamp?: string } | null>('eth_getBlockByNumber', ['latest', false])
      this.#headAgeMs = b?.timestamp ? Date.now() - Number(BigInt(b.timestamp)) * 1000 : undefined
      this.engine.success()
    } catch (err) {
      this.engine.failure(err)
    }
  }

  async #probeSupervisor(): Promise<void> {
    if (!this.#o.supervisor) return
    try {
      await this.#o.supervisor.call('supervisor_syncStatus', [])
      this.supervisor.success()
    } catch (err) {
      this.supervisor.failure(err)
    }
  }

  status(): HealthStatus {
    const stale =
      this.#o.maxUnsafeAgeMs > 0 && this.#headAgeMs !== undefined && this.#headAgeMs > this.#o.maxUnsafeAgeMs
    let s: HealthStatus
    if (!this.engine.ok || stale || (this.#o.supervisor && !this.supervisor.ok)) s = 'unhealthy'
    else {
      const builders = this.#o.builders()
      s = this.#o.mode() !== 'disabled' && builders.length > 0 && !builders.some((b) => b.ok) ? 'partial' : 'healthy'
    }
    if (s !== this.#last) {
      // Worse is a warning; better (a builder or the engine back) is news, not a problem.
      if (this.#last !== undefined)
        this.#o.log[RANK[s] > RANK[this.#last] ? 'warn' : 'info']({ from: this.#last, to: s }, 'health changed')
      this.#last = s
      this.#o.events?.emit('health', { status: s })
    }
    return s
  }

  report(): Health {
    const status = this.status()
    const body: Record<string, unknown> = {
      status,
      executionMode: this.#o.mode(),
      engine: { ...this.engine.snapshot(), ...(this.#headAgeMs !== undefined ? { headAgeMs: this.#headAgeMs } : {}) },
      builders: this.#o.builders(),
    }
    if (this.#o.supervisor) body.supervisor = this.supervisor.snapshot()
    const replicas = this.#o.replicas?.() ?? []
    if (replicas.length > 0) {
      body.replicas = replicas
      // Named, not failed: a lagging replica is not this sequencer's fault, and moving leadership
      // (op-conductor reads the code) to a node that may be the lagging one would not help.
      body.laggingReplicas = replicas.filter((r) => r.status !== 'ok').map((r) => r.replica)
    }
    return { status: HTTP[status], body }
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer)
  }
}
