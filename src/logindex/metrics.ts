import { Counter, Gauge, type Registry } from 'prom-client'

export type IndexerMetrics = {
  head: Gauge<'chain_id' | 'level'>
  logs: Counter<'chain_id'>
  blocks: Counter<'chain_id'>
  reorgs: Counter<'chain_id'>
  backfillRate: Gauge<'chain_id'>
  /** The endpoint's latest block at the last poll: head lag = this − head{level="unsafe"}. */
  remoteHead: Gauge<'chain_id'>
}

/** The indexer's metrics, registered on `registry` when given (otherwise kept but unexposed). */
export function createIndexerMetrics(registry?: Registry): IndexerMetrics {
  const registers = registry ? [registry] : []
  return {
    head: new Gauge({
      name: 'superguard_logindex_head',
      help: 'Head block number per chain and level (unsafe, cross-unsafe, safe, finalized)',
      labelNames: ['chain_id', 'level'] as const,
      registers,
    }),
    logs: new Counter({
      name: 'superguard_logindex_logs_indexed_total',
      help: 'Logs committed to the index',
      labelNames: ['chain_id'] as const,
      registers,
    }),
    blocks: new Counter({
      name: 'superguard_logindex_blocks_indexed_total',
      help: 'Blocks committed to the index',
      labelNames: ['chain_id'] as const,
      registers,
    }),
    reorgs: new Counter({
      name: 'superguard_logindex_reorgs_total',
      help: 'Reorgs handled (rewinds)',
      labelNames: ['chain_id'] as const,
      registers,
    }),
    backfillRate: new Gauge({
      name: 'superguard_logindex_backfill_blocks_per_second',
      help: 'Backfill speed over the last 10 s (0 once done)',
      labelNames: ['chain_id'] as const,
      registers,
    }),
    remoteHead: new Gauge({
      name: 'superguard_logindex_remote_head',
      help: 'The chain endpoint\'s latest block number at the last poll (lag = this minus superguard_logindex_head{level="unsafe"})',
      labelNames: ['chain_id'] as const,
      registers,
    }),
  }
}
