import type { Hex } from '../interop/index.js'
import { type Action, codeName } from './classify.js'
import type { SweepMode } from './protocol.js'
import type { ReadStats } from './txpoolReader.js'
import type { CacheStats } from './verdictCache.js'

/** One transaction's verdict; `code` is 0 for a valid one. */
export type TxVerdict = { hash: Hex; action: Action; code: number; reason?: string }

/** Everything one round found and did. Plain JSON (no bigint), so it prints and posts as is. */
export type SweepReport = {
  round: number
  startedAt: string
  source: 'txpool' | 'accepted'
  mode: SweepMode
  /** The executing descriptor every check of the round used. */
  descriptor: { chainId: string; timestamp: number; timeout: number }
  /** Transactions the pool holds (interop or not), and interop transactions swept. */
  pool: { total: number; interop: number; skipped: number }
  accesses: { declared: number; unique: number; chunks: number }
  counts: { valid: number; evict: number; keep: number; expired: number; parseErrors: number }
  /** Non-valid transactions by "verdict:CodeName". */
  byCode: Record<string, number>
  /**
   * Where the round's time went (ms), in order: collect (of it: read = network, parse = JSON.parse,
   * digest and unpacking; a source without that split counts it all as read), reorg = the
   * source-chain watch (--evict-on-reorg, --verdict-ttl), cache = verdict look-ups, check =
   * planning (of it: plan, on this thread while the first chunks already run) and waiting for the
   * workers, classify, actions = drops and builder notices. collect + reorg + cache + check +
   * classify + actions ≈ total (the rest: the window filter, a few ms).
   */
  durationsMs: {
    collect: number
    read: number
    parse: number
    reorg: number
    cache: number
    plan: number
    check: number
    classify: number
    actions: number
    total: number
  }
  /** How the txpool source read the pool (txpool only). */
  read?: ReadStats
  /** What the verdict cache answered (with --verdict-ttl above 0). */
  cache?: CacheStats
  /** Main-thread event-loop delay while the round ran (monitorEventLoopDelay sampling every 1 ms; values include that 1 ms). */
  eventLoop: { p99Ms: number; maxMs: number }
  actions: { dropped: number; dropFailed: number; dropUnsupported: boolean; notified: number; notifyFailed: number }
  transactions: TxVerdict[]
}

/** The pino line of a round: counts and durations, no per-transaction detail. */
export function summary(r: SweepReport): Record<string, unknown> {
  return {
    round: r.round,
    source: r.source,
    mode: r.mode,
    pool: r.pool,
    accesses: r.accesses,
    counts: r.counts,
    byCode: r.byCode,
    durationsMs: r.durationsMs,
    ...(r.read ? { read: r.read } : {}),
    ...(r.cache ? { cache: r.cache } : {}),
    eventLoop: r.eventLoop,
    actions: r.actions,
  }
}

/** Rows printed for valid transactions only in pools up to this size; non-valid ones are always listed. */
const LIST_VALID_UP_TO = 100

/** The one-shot table: one row per transaction (valid ones only for small pools), then totals. */
export function formatTable(r: SweepReport): string {
  const rows = r.transactions.filter((t) => t.action !== 'valid' || r.transactions.length <= LIST_VALID_UP_TO)
  const order: Record<Action, number> = { evict: 0, keep: 1, valid: 2 }
  rows.sort((a, b) => order[a.action] - order[b.action])
  const cells = rows.map((t) => [
    t.hash,
    t.action,
    t.code === 0 ? '' : `${codeName(t.code)} (${t.code})`,
    t.reason ?? '',
  ])
  const head = ['TRANSACTION', 'VERDICT', 'CODE', 'REASON']
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: string[]) =>
    c
      .map((x, i) => (i === c.length - 1 ? x : x.padEnd(width[i]!)))
      .join('  ')
      .trimEnd()
  const out = [line(head), ...cells.map(line)]
  if (rows.length < r.transactions.length) out.push(`… and ${r.transactions.length - rows.length} valid transactions`)
  const d = r.durationsMs
  out.push(
    '',
    `${r.pool.interop} interop transactions of ${r.pool.total} in the pool (${r.source}, ${r.mode} mode, chain ${r.descriptor.chainId}): ` +
      `${r.counts.valid} valid, ${r.counts.evict} evict (${r.counts.expired} expired, ${r.counts.parseErrors} unparseable), ${r.counts.keep} keep`,
    `${r.accesses.declared} accesses, ${r.accesses.unique} unique, ${r.accesses.chunks} chunks; ` +
      `${d.total.toFixed(1)} ms (collect ${d.collect.toFixed(1)} [read ${d.read.toFixed(1)}, parse ${d.parse.toFixed(1)}], reorg ${d.reorg.toFixed(1)}, cache ${d.cache.toFixed(1)}, check ${d.check.toFixed(1)} [plan ${d.plan.toFixed(1)}], classify ${d.classify.toFixed(1)}, actions ${d.actions.toFixed(1)}); ` +
      `event-loop delay p99 ${r.eventLoop.p99Ms.toFixed(1)} ms`,
  )
  const a = r.actions
  if (a.dropped || a.dropFailed || a.dropUnsupported)
    out.push(
      `dropped ${a.dropped}${a.dropFailed ? `, ${a.dropFailed} failed` : ''}${a.dropUnsupported ? ' (the client has no anvil_dropTransaction)' : ''}`,
    )
  if (a.notified || a.notifyFailed) out.push(`builder notices: ${a.notified} sent, ${a.notifyFailed} failed`)
  return `${out.join('\n')}\n`
}
