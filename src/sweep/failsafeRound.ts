import { RpcCode } from '../errors/index.js'
import { roundDescriptor } from './roundDescriptor.js'
import type { SweepReport } from './sweepReport.js'
import { type RoundContext, roundSignalOf } from './sweepRound.js'

const REASON = 'failsafe on at a supervisor: kept without a check'

/**
 * A round while the cluster's failsafe is on: the pool is read (so the report still counts it)
 * and every interop transaction is kept with -320602, unchecked. A check could only answer
 * -320602 (the supervisors refuse every check in failsafe) or a verdict we would not act on, so
 * none is sent; nothing is evicted, not even past the window (the next normal round does that).
 */
export async function failsafeRound(ctx: RoundContext, round: number, signal?: AbortSignal): Promise<SweepReport> {
  const now = ctx.now ?? Date.now
  const t0 = performance.now()
  const startedAt = now()
  const roundSignal = roundSignalOf(ctx, signal)
  const collected = await ctx.source.collect(roundSignal)
  const collectMs = performance.now() - t0
  const descriptor = roundDescriptor(startedAt, ctx.chainId, ctx.windowMs)
  const n = collected.txs.length
  const ms = (x: number) => Math.round(x * 10) / 10
  return {
    round,
    startedAt: new Date(startedAt).toISOString(),
    source: ctx.source.name,
    mode: ctx.mode,
    descriptor: {
      chainId: descriptor.chainId.toString(),
      timestamp: Number(descriptor.timestamp),
      timeout: Number(descriptor.timeout),
    },
    pool: { total: collected.total, interop: n, skipped: collected.skipped },
    accesses: { declared: 0, unique: 0, chunks: 0 },
    counts: { valid: 0, evict: 0, keep: n, expired: 0, parseErrors: 0 },
    byCode: n > 0 ? { 'keep:FailsafeEnabled': n } : {},
    durationsMs: {
      collect: ms(collectMs),
      read: ms(collected.read?.readMs ?? collectMs),
      parse: ms(collected.read?.parseMs ?? 0),
      reorg: 0,
      cache: 0,
      plan: 0,
      check: 0,
      classify: 0,
      actions: 0,
      total: ms(performance.now() - t0),
    },
    ...(collected.read ? { read: collected.read } : {}),
    eventLoop: { p99Ms: 0, maxMs: 0 },
    actions: { dropped: 0, dropFailed: 0, dropUnsupported: false, notified: 0, notifyFailed: 0 },
    transactions: collected.txs.map((tx) => ({
      hash: tx.hash,
      action: 'keep',
      code: RpcCode.FailsafeEnabled,
      reason: REASON,
    })),
  }
}
