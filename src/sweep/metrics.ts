import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { SweepReport } from './sweepReport.js'

export type SweepMetrics = { observe(report: SweepReport): void; roundFailed(): void }

/** Prometheus metrics of the sweep, updated once per round from its report. */
export function createSweepMetrics(registry: Registry): SweepMetrics {
  const registers = [registry]
  const rounds = new Counter({
    name: 'superguard_sweep_rounds_total',
    help: 'Sweep rounds by result',
    labelNames: ['result'] as const,
    registers,
  })
  const seconds = new Histogram({
    name: 'superguard_sweep_round_seconds',
    help: 'Duration of a sweep round, collect to actions',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers,
  })
  const phase = new Gauge({
    name: 'superguard_sweep_phase_seconds',
    help: 'Duration of each phase of the last round',
    labelNames: ['phase'] as const,
    registers,
  })
  const txs = new Counter({
    name: 'superguard_sweep_transactions_total',
    help: 'Interop transactions swept, by verdict',
    labelNames: ['verdict'] as const,
    registers,
  })
  const last = new Gauge({
    name: 'superguard_sweep_transactions',
    help: 'Interop transactions in the last round, by verdict',
    labelNames: ['verdict'] as const,
    registers,
  })
  const codes = new Counter({
    name: 'superguard_sweep_verdict_codes_total',
    help: 'Evicted and kept transactions by deciding code',
    labelNames: ['code', 'verdict'] as const,
    registers,
  })
  const accesses = new Gauge({
    name: 'superguard_sweep_accesses',
    help: 'Accesses in the last round: declared by its transactions, unique = packed for checking (de-duplicated between resets of the plan memory)',
    labelNames: ['kind'] as const,
    registers,
  })
  const loop = new Gauge({
    name: 'superguard_sweep_event_loop_delay_seconds',
    help: 'Main-thread event-loop delay during the last round (sampled every 1 ms, included)',
    labelNames: ['quantile'] as const,
    registers,
  })
  const actions = new Counter({
    name: 'superguard_sweep_actions_total',
    help: 'Eviction actions: drops through the pool, builder notices',
    labelNames: ['action', 'result'] as const,
    registers,
  })
  const cache = new Counter({
    name: 'superguard_sweep_verdict_cache_total',
    help: 'Interop transactions answered from the verdict cache (hit) or checked (miss), --verdict-ttl',
    labelNames: ['result'] as const,
    registers,
  })
  const invalidated = new Counter({
    name: 'superguard_sweep_verdict_cache_invalidated_total',
    help: 'Cached verdicts dropped, by reason: reorg (a source block under it changed), expired (ttl or message expiry), gone (left the pool)',
    labelNames: ['reason'] as const,
    registers,
  })
  const reads = new Counter({
    name: 'superguard_sweep_txpool_reads_total',
    help: 'Txpool reads (--source txpool) by how: full (txpool_content) or incremental (filter changes), and why a full one',
    labelNames: ['how', 'why'] as const,
    registers,
  })
  return {
    roundFailed: () => rounds.inc({ result: 'error' }),
    observe(r) {
      rounds.inc({ result: 'ok' })
      seconds.observe(r.durationsMs.total / 1000)
      for (const [k, v] of Object.entries(r.durationsMs)) phase.set({ phase: k }, v / 1000)
      for (const verdict of ['valid', 'evict', 'keep'] as const) {
        txs.inc({ verdict }, r.counts[verdict])
        last.set({ verdict }, r.counts[verdict])
      }
      for (const [key, n] of Object.entries(r.byCode)) {
        const [verdict, code] = key.split(':') as [string, string]
        codes.inc({ verdict, code }, n)
      }
      accesses.set({ kind: 'declared' }, r.accesses.declared)
      accesses.set({ kind: 'unique' }, r.accesses.unique)
      loop.set({ quantile: '0.99' }, r.eventLoop.p99Ms / 1000)
      loop.set({ quantile: '1' }, r.eventLoop.maxMs / 1000)
      if (r.cache) {
        cache.inc({ result: 'hit' }, r.cache.hits)
        cache.inc({ result: 'miss' }, r.cache.misses)
        for (const [reason, n] of Object.entries(r.cache.invalidated)) if (n) invalidated.inc({ reason }, n)
      }
      if (r.read) reads.inc({ how: r.read.how, why: r.read.why ?? '' })
      const a = r.actions
      if (a.dropped) actions.inc({ action: 'drop', result: 'ok' }, a.dropped)
      if (a.dropFailed) actions.inc({ action: 'drop', result: 'error' }, a.dropFailed)
      if (a.notified) actions.inc({ action: 'notify', result: 'ok' }, a.notified)
      if (a.notifyFailed) actions.inc({ action: 'notify', result: 'error' }, a.notifyFailed)
    },
  }
}
