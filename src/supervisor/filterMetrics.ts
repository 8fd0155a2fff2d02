import { Counter, Gauge, type Registry } from 'prom-client'
import type { ChainStatus } from '../check/types.js'
import { RpcCode } from '../errors/index.js'

/** op-interop-filter's metric prefix with its default process name (metrics/metrics.go: Namespace + "_" + procName). */
const NS = 'op_interop_filter_default'

/** classifyRejectionReason (filter/backend.go, optimism#20442): the filter's rejection labels, by our code. */
function reasonOf(code: number): string {
  switch (code) {
    case RpcCode.FailsafeEnabled:
      return 'failsafe'
    case RpcCode.UnknownChain:
      return 'unknown_chain'
    case RpcCode.ConflictingData:
      return 'expired_message' // the filter labels every ErrConflict so
    case RpcCode.InvalidParams:
      return 'parse_error'
    default:
      return 'invalid_executing_message'
  }
}

export type FilterMetrics = {
  check(code: number): void
  reorg(chainId: bigint): void
}

/**
 * The supervisor's state under op-interop-filter's metric names (op-interop-filter/metrics/metrics.go),
 * so a dashboard or alert written for the filter reads superguard unchanged. Chain gauges are read
 * from the backend's status at scrape time; the superguard_* metrics stay the primary ones.
 */
export function filterMetrics(
  registry: Registry,
  failsafe: () => boolean,
  statuses: () => readonly ChainStatus[],
): FilterMetrics {
  const total = new Counter({
    name: `${NS}_check_access_list_total`,
    help: 'Total checkAccessList requests (op-interop-filter name)',
    labelNames: ['success'],
    registers: [registry],
  })
  const rejections = new Counter({
    name: `${NS}_check_access_list_rejections_total`,
    help: 'Access list rejections by reason (op-interop-filter name and labels)',
    labelNames: ['reason'],
    registers: [registry],
  })
  new Gauge({
    name: `${NS}_failsafe_enabled`,
    help: '1 if failsafe is enabled (op-interop-filter name)',
    registers: [registry],
    collect() {
      this.set(failsafe() ? 1 : 0)
    },
  })
  const perChain = (name: string, help: string, value: (s: ChainStatus) => number | undefined) =>
    new Gauge({
      name: `${NS}_${name}`,
      help,
      labelNames: ['chain_id'],
      registers: [registry],
      collect() {
        for (const s of statuses()) {
          const v = value(s)
          if (v !== undefined) this.set({ chain_id: s.chainId.toString() }, v)
        }
      },
    })
  perChain('chain_head', 'Latest ingested block number (op-interop-filter name)', (s) =>
    s.indexed === undefined ? undefined : Number(s.indexed.number),
  )
  perChain('chain_tip', 'Latest known chain tip block number from RPC (op-interop-filter name)', (s) =>
    s.remoteHead === undefined ? undefined : Number(s.remoteHead),
  )
  perChain('tip_lag_blocks', 'Blocks the index is behind the chain tip (op-interop-filter name)', (s) =>
    s.remoteHead === undefined ? undefined : Math.max(0, Number(s.remoteHead - (s.indexed?.number ?? 0n))),
  )
  perChain('backfill_progress', 'Backfill progress (0-1) per chain (op-interop-filter name)', (s) =>
    s.ready ? 1 : s.remoteHead && s.indexed ? Math.min(0.99, Number(s.indexed.number) / Number(s.remoteHead)) : 0,
  )
  const reorgs = new Counter({
    name: `${NS}_reorg_detected_total`,
    help: 'Total reorgs detected per chain (op-interop-filter name)',
    labelNames: ['chain_id'],
    registers: [registry],
  })
  return {
    check(code) {
      total.inc({ success: code === 0 ? 'true' : 'false' })
      if (code !== 0) rejections.inc({ reason: reasonOf(code) })
    },
    reorg: (chainId) => reorgs.inc({ chain_id: chainId.toString() }),
  }
}
