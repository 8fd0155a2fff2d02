import { Counter, type Registry } from 'prom-client'

/** The builder's own metrics (JSON-RPC plumbing metrics come from rpcCallObserver). */
export function builderMetrics(registry: Registry) {
  return {
    submitted: new Counter({
      name: 'superguard_builder_submissions_total',
      help: 'Blocks submitted, by answer',
      labelNames: ['status', 'reason'] as const,
      registers: [registry],
    }),
    failures: new Counter({
      name: 'superguard_builder_failures_total',
      help: 'Failed requests of the builder to its engine (parent look-ups) and its supervisor (interop check batches)',
      labelNames: ['upstream'] as const,
      registers: [registry],
    }),
    missed: new Counter({
      name: 'superguard_builder_jobs_missed_total',
      help: 'Jobs that ended without a block because the parent was not available before the deadline',
      registers: [registry],
    }),
  }
}
