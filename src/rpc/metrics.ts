import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { buildInfo } from '../util/buildInfo.js'
import type { CallObserver } from './jsonrpc.js'

/**
 * Sampling interval of an event-loop delay histogram: `defaultMs`, or SUPERGUARD_EVENT_LOOP_RESOLUTION_MS
 * (1–1000). Every sample is a wake-up of an otherwise idle process: at 10 ms that alone is ~0.8 % of
 * a core, which the 3×3 devnet's 40 processes cannot afford on 2 cores (it sets 100).
 */
export function loopResolutionMs(defaultMs: number): number {
  const v = Number(process.env.SUPERGUARD_EVENT_LOOP_RESOLUTION_MS)
  return Number.isInteger(v) && v >= 1 && v <= 1000 ? v : defaultMs
}

/**
 * A registry per role process, with default process metrics, event-loop delay and
 * `superguard_build_info{version, commit, node} 1` (what is running, for dashboards and upgrades).
 */
export function createRegistry(prefix = 'superguard_'): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix, eventLoopMonitoringPrecision: loopResolutionMs(10) })
  const b = buildInfo()
  new Gauge({
    name: `${prefix}build_info`,
    help: 'the running build: package version, git commit, Node.js version (always 1)',
    labelNames: ['version', 'commit', 'node'] as const,
    registers: [registry],
  }).set({ version: b.version, commit: b.commit, node: b.node }, 1)
  return registry
}

/** JSON-RPC call counts and durations by method and code. */
export function rpcCallObserver(registry: Registry): CallObserver {
  const count = twoLabelCounter({
    name: 'superguard_rpc_calls_total',
    help: 'JSON-RPC calls by method and result code (0 = success)',
    labelNames: ['method', 'code'],
    registers: [registry],
  })
  const seconds = new Histogram({
    name: 'superguard_rpc_call_seconds',
    help: 'JSON-RPC call duration',
    labelNames: ['method'] as const,
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  })
  return (method, code, s) => {
    count(method, code)
    seconds.observe({ method }, s)
  }
}

/**
 * A counter by two labels whose increments are kept in plain maps and added to the prom-client
 * counter whenever it is read (prom-client calls `collect` before every get/scrape), so readers
 * see the same values. A labelled `inc` hashes its labels on every call (0.22 µs); the map
 * increment costs ~0.02 µs, and it is paid per call on the check path.
 */
export function twoLabelCounter(opts: {
  name: string
  help: string
  labelNames: readonly [string, string]
  registers: Registry[]
}): (a: string, b: string | number) => void {
  const [la, lb] = opts.labelNames
  const pending = new Map<string, Map<string | number, number>>()
  new Counter({
    ...opts,
    collect() {
      for (const [a, byB] of pending) {
        for (const [b, n] of byB) this.inc({ [la]: a, [lb]: String(b) }, n)
        byB.clear()
      }
    },
  })
  return (a, b) => {
    let byB = pending.get(a)
    if (byB === undefined) pending.set(a, (byB = new Map()))
    byB.set(b, (byB.get(b) ?? 0) + 1)
  }
}

export type ListenerMetrics = {
  refused(): void
  dropped(
    reason: 'timeout' | 'client_error' | 'stalled_write' | 'not_reading',
  ): void /** The listener closed: its gauges stop. */
  forget(): void
}

type Observed = { connections(): number; bufferedBytes(): number }

/** Per registry: the listeners it reports on (a sequencer's three listeners share one registry). */
const byRegistry = new WeakMap<
  Registry,
  { listeners: Map<Observed, string>; refused: Counter<'listener'>; dropped: Counter<'listener' | 'reason'> }
>()

/**
 * Connection metrics of one HTTP listener, labelled `listener`: open connections and buffered
 * response bytes (read at scrape time), connections refused over the cap, connections dropped
 * (request/headers timeout, malformed HTTP, a response unread for the request timeout).
 */
export function listenerMetrics(registry: Registry, name: string, listener: Observed): ListenerMetrics {
  let m = byRegistry.get(registry)
  if (m === undefined) {
    const listeners = new Map<Observed, string>()
    const sum = (read: (l: Observed) => number) =>
      function (this: Gauge<'listener'>) {
        this.reset()
        for (const [l, n] of listeners) this.inc({ listener: n }, read(l))
      }
    new Gauge({
      name: 'superguard_listener_connections',
      help: 'HTTP connections open, by listener',
      labelNames: ['listener'] as const,
      registers: [registry],
      collect: sum((l) => l.connections()),
    })
    new Gauge({
      name: 'superguard_listener_buffered_bytes',
      help: 'response bytes waiting in socket buffers for clients to read, by listener',
      labelNames: ['listener'] as const,
      registers: [registry],
      collect: sum((l) => l.bufferedBytes()),
    })
    m = {
      listeners,
      refused: new Counter({
        name: 'superguard_listener_connections_refused_total',
        help: 'connections closed on accept because the listener had --max-connections open',
        labelNames: ['listener'] as const,
        registers: [registry],
      }),
      dropped: new Counter({
        name: 'superguard_listener_connections_dropped_total',
        help: 'connections closed by the listener: timeout (request or headers not received in time), client_error (malformed HTTP), stalled_write (response unread for the request timeout), not_reading (pipelined requests while earlier answers sit unread)',
        labelNames: ['listener', 'reason'] as const,
        registers: [registry],
      }),
    }
    byRegistry.set(registry, m)
  }
  m.listeners.set(listener, name)
  const { refused, dropped } = m
  const listeners = m.listeners
  return {
    refused: () => refused.inc({ listener: name }),
    dropped: (reason) => dropped.inc({ listener: name, reason }),
    forget: () => {
      listeners.delete(listener)
    },
  }
}
