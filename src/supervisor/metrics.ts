import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

export type SupervisorMetrics = {
  /** Records one check: method as called (aliases apart), result code (0 = valid), seconds. */
  check(method: string, code: number, seconds: number): void
  failsafe(enabled: boolean): void
}

/** The supervisor's own metrics; JSON-RPC plumbing metrics come from rpcCallObserver. */
export function supervisorMetrics(registry: Registry): SupervisorMetrics {
  const checks = new Counter({ name: 'superguard_supervisor_checks_total', help: 'Message checks by method and result code (0 = valid)', labelNames: ['method', 'code'] as const, registers: [registry] })
  const seconds = new Histogram({ name: 'superguard_supervisor_check_seconds', help: 'Message check duration', labelNames: ['method'] as const, buckets: [0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [registry] })
  const failsafe = new Gauge({ name: 'superguard_supervisor_failsafe_enabled', help: '1 while failsafe is on (every check answers -320602)', registers: [registry] })
  return {
    check(method, code, s) {
      checks.inc({ method, code: String(code) })
      seconds.observe({ method }, s)
    },
    failsafe: (enabled) => failsafe.set(enabled ? 1 : 0),
  }
}
