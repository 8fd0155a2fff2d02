import type { Logger } from 'pino'
import { Gauge, type Registry } from 'prom-client'
import { ExecutionCode, RpcCode } from '../errors/index.js'
import { RemoteRpcError, RpcClient } from '../rpc/index.js'

export type DependencyHealthOptions = {
  /** The execution engine transactions are sent to (probed with eth_chainId). */
  upstream: string
  /** Supervisor URLs (probed with supervisor_syncStatus), labelled as SupervisorEndpoint labels them. */
  supervisors: readonly { url: string; label: string }[]
  intervalMs: number
  upstreamTimeoutMs: number
  supervisorTimeoutMs: number
  registry: Registry
  log: Logger
}

type State = { up: boolean | undefined; since: number; error: string | undefined; lastOkAt: number | undefined }

// A supervisor that answers at all is up (even -32601 or -320400: it can answer checks or says why
// not); one that fails internally answers nothing useful, as SupervisorEndpoint counts it.
const INTERNAL: ReadonlySet<number> = new Set([RpcCode.InternalError, ExecutionCode.ServerError])

/**
 * What the ingress depends on, probed every `intervalMs` (one probe per dependency in flight,
 * each bounded by its role's timeout): the upstream, without which no transaction is accepted,
 * and the supervisors, without which no interop transaction is. /healthz is 503 when the upstream
 * is down or every supervisor is; 200 with `degraded` naming the supervisors that are down when
 * only some are (the strategies route around them: agreement with --min-responses, any, failover).
 * A dependency not probed yet counts as up. Logs once per change of state, not per probe.
 */
export class DependencyHealth {
  readonly #o: DependencyHealthOptions
  readonly #upstream: { client: RpcClient; state: State }
  readonly #supervisors: { label: string; client: RpcClient; state: State }[]
  readonly #upstreamUp: Gauge
  readonly #supervisorUp: Gauge<'url'>
  #timer: NodeJS.Timeout | undefined
  #started = 0
  #completed = 0
  #waiters: { target: number; resolve: () => void }[] = []
  #closed = false

  constructor(opts: DependencyHealthOptions) {
    this.#o = opts
    const fresh = (): State => ({ up: undefined, since: Date.now(), error: undefined, lastOkAt: undefined })
    // Small responses only: eth_chainId and syncStatus of a handful of chains.
    this.#upstream = {
      client: new RpcClient(opts.upstream, { timeoutMs: opts.upstreamTimeoutMs, maxResponseBytes: 64 * 1024 }),
      state: fresh(),
    }
    this.#supervisors = opts.supervisors.map((s) => ({
      label: s.label,
      client: new RpcClient(s.url, { timeoutMs: opts.supervisorTimeoutMs, maxResponseBytes: 256 * 1024 }),
      state: fresh(),
    }))
    this.#upstreamUp = new Gauge({
      name: 'superguard_ingress_upstream_up',
      help: '1 while the upstream answered its last probe (eth_chainId), 0 when it did not',
      registers: [opts.registry],
    })
    this.#supervisorUp = new Gauge({
      name: 'superguard_ingress_supervisor_up',
      help: '1 while the supervisor answered its last probe (supervisor_syncStatus), 0 when it did not',
      labelNames: ['url'] as const,
      registers: [opts.registry],
    })
  }

  /** Probes at once, then every interval (the next round starts an interval after the last one ended). */
  start(): void {
    if (this.#closed) return
    this.#started++
    void this.#probeAll().finally(() => {
      this.#completed++
      const done = this.#waiters.filter((w) => w.target <= this.#completed)
      this.#waiters = this.#waiters.filter((w) => w.target > this.#completed)
      for (const w of done) w.resolve()
      if (!this.#closed) this.#timer = setTimeout(() => this.start(), this.#o.intervalMs).unref()
    })
  }

  /** Resolves once a probe round that starts after this call has finished (what a test awaits after killing a dependency). */
  nextRound(): Promise<void> {
    const target = this.#started + 1
    return new Promise((resolve) => this.#waiters.push({ target, resolve }))
  }

  health(): { status: number; body: Record<string, unknown> & { ok: boolean } } {
    const now = Date.now()
    const view = (s: State) => ({
      up: s.up ?? null,
      ...(s.error !== undefined ? { error: s.error } : {}),
      lastOkMsAgo: s.lastOkAt === undefined ? null : now - s.lastOkAt,
    })
    const upstreamDown = this.#upstream.state.up === false
    const down = this.#supervisors.filter((s) => s.state.up === false).map((s) => s.label)
    const allDown = down.length === this.#supervisors.length && this.#supervisors.length > 0
    const problems = [
      ...(upstreamDown ? [`upstream ${labelOf(this.#o.upstream)} is down`] : []),
      ...(allDown ? ['every supervisor is down'] : []),
    ]
    const ok = problems.length === 0
    return {
      status: ok ? 200 : 503,
      body: {
        ok,
        ...(problems.length > 0 ? { problems } : {}),
        ...(ok && down.length > 0 ? { degraded: down } : {}),
        upstream: { url: labelOf(this.#o.upstream), ...view(this.#upstream.state) },
        supervisorsUp: this.#supervisors.map((s) => ({ url: s.label, ...view(s.state) })),
      },
    }
  }

  /** The supervisor's last probe: true/false, undefined before the first (or for an unknown label). */
  supervisorUp(label: string): boolean | undefined {
    return this.#supervisors.find((s) => s.label === label)?.state.up
  }

  close(): void {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#upstream.client.close()
    for (const s of this.#supervisors) s.client.close()
    for (const w of this.#waiters.splice(0)) w.resolve()
  }

  async #probeAll(): Promise<void> {
    await Promise.all([
      this.#probe(
        'upstream',
        labelOf(this.#o.upstream),
        this.#upstream.state,
        this.#upstream.client,
        'eth_chainId',
        (up) => this.#upstreamUp.set(up ? 1 : 0),
      ),
      ...this.#supervisors.map((s) =>
        this.#probe('supervisor', s.label, s.state, s.client, 'supervisor_syncStatus', (up) =>
          this.#supervisorUp.set({ url: s.label }, up ? 1 : 0),
        ),
      ),
    ])
  }

  async #probe(
    kind: 'upstream' | 'supervisor',
    label: string,
    state: State,
    client: RpcClient,
    method: string,
    gauge: (up: boolean) => void,
  ): Promise<void> {
    let error: string | undefined
    try {
      await client.call(method, [])
    } catch (err) {
      if (
        !(err instanceof RemoteRpcError) ||
        err.status >= 500 ||
        (kind === 'supervisor' && INTERNAL.has(err.rpcCode))
      ) {
        error =
          err instanceof RemoteRpcError
            ? `HTTP ${err.status}: ${err.rpcCode} ${err.shortMessage}`
            : (err as Error).message
      }
    }
    if (this.#closed) return
    const up = error === undefined
    const now = Date.now()
    if (up) state.lastOkAt = now
    gauge(up)
    if (state.up !== up) {
      if (!up)
        this.#o.log.warn(
          { [kind]: label, error, upSinceMs: state.up ? now - state.since : undefined },
          `${kind} down: /healthz ${kind === 'upstream' ? 'fails' : 'fails when every supervisor is down'}`,
        )
      else if (state.up === false) this.#o.log.info({ [kind]: label, downForMs: now - state.since }, `${kind} back up`)
      state.up = up
      state.since = now
    }
    state.error = error
  }
}

/** The URL without credentials or query, for logs and the health body. */
function labelOf(url: string): string {
  const u = new URL(url)
  return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`
}
