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
  const calls = new Counter({ name: 'superguard_rpc_calls_total', help: 'JSON-RPC calls by method and result code (0 = success)', labelNames: ['method', 'code'] as const, registers: [registry] })
  const seconds = new Histogram({ name: 'superguard_rpc_call_seconds', help: 'JSON-RPC call duration', labelNames: ['method'] as const, buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [registry] })
  return (method, code, s) => {
    calls.inc({ method, code: String(code) })
    seconds.observe({ method }, s)
  }
}

