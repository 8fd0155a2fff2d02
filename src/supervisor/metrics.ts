import { Gauge, type Registry } from 'prom-client'
import { twoLabelCounter } from '../rpc/metrics.js'

export type SupervisorMetrics = {
  /** Records one check: method as called (aliases apart), result code (0 = valid). */
  check(method: string, code: number): void
  failsafe(enabled: boolean): void
  passthrough(enabled: boolean): void
  /** Every check, also counted under op-interop-filter's names (set once the backend exists). */
  filter?: { check(code: number): void }
}

/**
 * The supervisor's own metrics; JSON-RPC plumbing metrics come from rpcCallObserver, whose
 * superguard_rpc_call_seconds is also the check duration (a per-check histogram here duplicated
 * it at ~0.3 µs per check).
 */
export function supervisorMetrics(registry: Registry): SupervisorMetrics {
  const checks = twoLabelCounter({
    name: 'superguard_supervisor_checks_total',
    help: 'Message checks by method and result code (0 = valid)',
    labelNames: ['method', 'code'],
    registers: [registry],
  })
  const failsafe = new Gauge({
    name: 'superguard_supervisor_failsafe_enabled',
    help: '1 while failsafe is on (every check answers -320602)',
    registers: [registry],
  })
  const passthrough = new Gauge({
    name: 'superguard_supervisor_passthrough_enabled',
    help: '1 while --dangerously-enable-passthrough is on (every check answers valid without looking)',
    registers: [registry],
  })
  const out: SupervisorMetrics = {
    check(method, code) {
      checks(method, code)
      out.filter?.check(code)
    },
    failsafe: (enabled) => failsafe.set(enabled ? 1 : 0),
    passthrough: (enabled) => passthrough.set(enabled ? 1 : 0),
  }
  return out
}
