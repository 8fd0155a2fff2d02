import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { loopResolutionMs } from '../rpc/metrics.js'
import type { SequencerEvents } from './events.js'
import type { ReplicaStatus } from './replicas.js'
import type { ExecutionMode } from './types.js'

const MODE_VALUE: Record<ExecutionMode, number> = { enabled: 3, dry_run: 2, disabled: 1 }

/**
 * Sequencer metrics, fed from its events so the fast path only emits: blocks by source, submissions
 * by outcome and reason, validation time, deadline-to-seal time, the engine's getPayload time, and
 * event-loop delay measured with perf_hooks (reset at every scrape, so each scrape reports the
 * interval since the last).
 */
export class SequencerMetrics {
  readonly #loop: IntervalHistogram
  readonly #mode: Gauge

  constructor(
    registry: Registry,
    events: SequencerEvents,
    mode: () => ExecutionMode,
    replicas: () => ReplicaStatus[] = () => [],
  ) {
    const blocks = new Counter({
      name: 'superguard_sequencer_blocks_total',
      help: 'Sealed blocks by source (builder or local) and selection reason',
      labelNames: ['source', 'reason'] as const,
      registers: [registry],
    })
    const builderBlocks = new Counter({
      name: 'superguard_sequencer_builder_blocks_total',
      help: 'Builder blocks used, by builder',
      labelNames: ['builder'] as const,
      registers: [registry],
    })
    const submissions = new Counter({
      name: 'superguard_sequencer_submissions_total',
      help: 'Builder submissions by outcome (accepted, rejected, valid, invalid) and reason',
      labelNames: ['builder', 'outcome', 'reason'] as const,
      registers: [registry],
    })
    const validation = new Histogram({
      name: 'superguard_sequencer_validation_seconds',
      help: 'engine_newPayload time for builder blocks',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2],
      registers: [registry],
    })
    const toSeal = new Histogram({
      name: 'superguard_sequencer_deadline_to_seal_seconds',
      help: 'Time from the builder deadline to the seal (0 when sealed before the deadline)',
      buckets: [0, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1],
      registers: [registry],
    })
    const engineGetPayload = new Histogram({
      name: 'superguard_sequencer_engine_get_payload_seconds',
      help: "The engine's engine_getPayload time as superguard saw it (op-node's seal time minus this is superguard's share)",
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    })
    // Counted when the replica took the block (newPayload VALID + forkchoice update), catch-up included.
    const published = new Counter({
      name: 'superguard_sequencer_published_total',
      help: 'Blocks each replica took (standalone)',
      labelNames: ['replica'] as const,
      registers: [registry],
    })
    const replicaFailures = new Counter({
      name: 'superguard_sequencer_replica_publish_failures_total',
      help: 'Failed publish attempts per replica (refused, SYNCING, unreachable); the block stays owed and is resent',
      labelNames: ['replica'] as const,
      registers: [registry],
    })
    const replicaHead = new Gauge({
      name: 'superguard_sequencer_replica_head',
      help: 'The newest of our blocks each replica took',
      labelNames: ['replica'] as const,
      registers: [registry],
      collect() {
        for (const r of replicas()) if (r.head !== null) replicaHead.set({ replica: r.replica }, r.head)
      },
    })
    const replicaLag = new Gauge({
      name: 'superguard_sequencer_replica_lag_blocks',
      help: 'Our newest block minus the newest block each replica took',
      labelNames: ['replica'] as const,
      registers: [registry],
      collect() {
        for (const r of replicas()) replicaLag.set({ replica: r.replica }, r.lagBlocks)
      },
    })
    const slotFailures = new Counter({
      name: 'superguard_sequencer_slot_failures_total',
      help: 'Standalone slot attempts that failed (engine down or erroring); retried with a jittered backoff',
      registers: [registry],
    })
    const consecutive = new Gauge({
      name: 'superguard_sequencer_consecutive_slot_failures',
      help: 'Standalone slot attempts failed in a row since the last sealed block (0 while sealing)',
      registers: [registry],
    })
    const errors = new Counter({
      name: 'superguard_sequencer_errors_total',
      help: 'Errors by place',
      labelNames: ['where'] as const,
      registers: [registry],
    })
    this.#mode = new Gauge({
      name: 'superguard_sequencer_execution_mode',
      help: 'Execution mode: 3 enabled, 2 dry_run, 1 disabled (as rollup-boost)',
      registers: [registry],
      collect: () => this.#mode.set(MODE_VALUE[mode()]),
    })
    this.#loop = monitorEventLoopDelay({ resolution: loopResolutionMs(5) })
    this.#loop.enable()
    const loop = this.#loop
    const delay = new Gauge({
      name: 'superguard_sequencer_event_loop_delay_seconds',
      help: 'Event-loop delay since the previous scrape (perf_hooks monitorEventLoopDelay)',
      labelNames: ['quantile'] as const,
      registers: [registry],
      collect() {
        const q = (p: number) => (loop.count > 0 ? loop.percentile(p) / 1e9 : 0)
        delay.set({ quantile: '0.5' }, q(50))
        delay.set({ quantile: '0.99' }, q(99))
        delay.set({ quantile: '1' }, loop.count > 0 ? loop.max / 1e9 : 0)
        loop.reset()
      },
    })

    events.on('submission', (s) =>
      submissions.inc({
        builder: s.builder,
        outcome: s.result.status,
        reason: s.result.status === 'rejected' ? s.result.reason : '',
      }),
    )
    events.on('validated', (v) => {
      submissions.inc({ builder: v.builder, outcome: v.valid ? 'valid' : 'invalid', reason: v.reason ?? '' })
      if (v.seconds > 0) validation.observe(v.seconds)
    })
    events.on('sealed', (s) => {
      blocks.inc({ source: s.source, reason: s.reason })
      if (s.builder) builderBlocks.inc({ builder: s.builder })
      if (s.deadlineToSealMs !== undefined) toSeal.observe(Math.max(0, s.deadlineToSealMs) / 1000)
      if (s.engineMs !== undefined) engineGetPayload.observe(s.engineMs / 1000)
    })
    events.on('replica', (r) => (r.outcome === 'taken' ? published : replicaFailures).inc({ replica: r.replica }))
    events.on('slot', (s) => {
      if (s.outcome === 'failed') slotFailures.inc()
      consecutive.set(s.consecutiveFailures)
    })
    events.on('error', (e) => errors.inc({ where: e.where }))
  }

  close(): void {
    this.#loop.disable()
  }
}
