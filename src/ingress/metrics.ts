import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** The ingress's Prometheus metrics, named after proxyd's interop metrics. */
export class IngressMetrics {
  /** proxyd rpc_interop_validations_total: result passed|failsafe|filtered|errored, reason = code | none | internal. */
  readonly validations: Counter<'result' | 'reason' | 'strategy'>
  /** proxyd rpc_interop_filter_checks_total: one per supervisor answer (http_code 0 = no HTTP answer, rpc_code "-" = none). */
  readonly supervisorChecks: Counter<'url' | 'http_code' | 'rpc_code'>
  readonly validationSeconds: Histogram<'strategy'>
  /** Transactions sent on: target upstream|builder, result ok|rejected|error|dropped. */
  readonly forwards: Counter<'target' | 'result'>
  readonly plainTransactions: Counter

  constructor(registry: Registry, acceptedSize: () => number) {
    const registers = [registry]
    this.validations = new Counter({
      name: 'superguard_ingress_validations_total',
      help: 'Interop transaction validations by result, reason (JSON-RPC code) and strategy',
      labelNames: ['result', 'reason', 'strategy'] as const,
      registers,
    })
    this.supervisorChecks = new Counter({
      name: 'superguard_ingress_supervisor_checks_total',
      help: 'interop_checkAccessList answers by supervisor, HTTP status and JSON-RPC code',
      labelNames: ['url', 'http_code', 'rpc_code'] as const,
      registers,
    })
    this.validationSeconds = new Histogram({
      name: 'superguard_ingress_validation_seconds',
      help: 'Time to a supervisor verdict',
      labelNames: ['strategy'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    })
    this.forwards = new Counter({
      name: 'superguard_ingress_forwards_total',
      help: 'Valid transactions sent to the upstream and builders, by result',
      labelNames: ['target', 'result'] as const,
      registers,
    })
    this.plainTransactions = new Counter({
      name: 'superguard_ingress_plain_transactions_total',
      help: 'Non-interop transactions (no supervisor call)',
      registers,
    })
    new Gauge({
      name: 'superguard_ingress_accepted_txs',
      help: 'Accepted interop transactions remembered for the sweep',
      registers,
      collect() {
        this.set(acceptedSize())
      },
    })
  }
}
