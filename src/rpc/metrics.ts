import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { CallObserver } from './jsonrpc.js'

/** A registry per role process, with default process metrics and event-loop delay. */
export function createRegistry(prefix = 'superguard_'): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix, eventLoopMonitoringPrecision: 10 })
  return registry
}

/** JSON-RPC call counts and durations by method and code. */
export function rpcCallObserver(registry: Registry): CallObserver {
  const count = twoLabelCounter({ name: 'superguard_rpc_calls_total', help: 'JSON-RPC calls by method and result code (0 = success)', labelNames: ['method', 'code'], registers: [registry] })
  const seconds = new Histogram({ name: 'superguard_rpc_call_seconds', help: 'JSON-RPC call duration', labelNames: ['method'] as const, buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [registry] })
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
export function twoLabelCounter(opts: { name: string; help: string; labelNames: readonly [string, string]; registers: Registry[] }): (a: string, b: string | number) => void {
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
