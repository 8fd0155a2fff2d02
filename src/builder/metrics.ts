import { Counter, type Registry } from 'prom-client'

/** The builder's own metrics (JSON-RPC plumbing metrics come from rpcCallObserver). */
export function builderMetrics(registry: Registry) {
  return {
    submitted: new Counter({ name: 'superguard_builder_submissions_total', help: 'Blocks submitted, by answer', labelNames: ['status', 'reason'] as const, registers: [registry] }),
  }
}
