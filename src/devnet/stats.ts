import type { Hex } from '../interop/index.js'
import type { SweepReport } from '../sweep/index.js'

/** Counts by name, printed most frequent first: "-320600 ×3, -32602 ×1". */
export class Tally {
  readonly #counts = new Map<string, number>()

  add(key: string | number, n = 1): void {
    this.#counts.set(String(key), (this.#counts.get(String(key)) ?? 0) + n)
  }

  get(key: string | number): number {
    return this.#counts.get(String(key)) ?? 0
  }

  get total(): number {
    let n = 0
    for (const v of this.#counts.values()) n += v
    return n
  }

  toString(): string {
    return [...this.#counts]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ×${n}`)
      .join(', ')
  }
}

/** Stage 1: initiating messages checked directly against the supervisor. */
export type TrafficCounts = { initiated: number; valid: number; refused: number; executed: number; unexpected: number }

/** Executing transactions sent through the ingress in front of chain 902. */
export type IngressCounts = { accepted: number; refused: Tally; reorged: number }

/**
 * The loop of an executing transaction an ingress accepted (both chains): sealed in a block (by
 * source: a builder's name or `local`), its ExecutingMessage log in the supervisor's index, its
 * block cross-unsafe, and the supervisor's check of its access list answering null.
 */
export type LoopCounts = { included: Tally; indexed: number; crossUnsafe: number; checkedNull: number }

/** One finished loop, for tests and the log. */
export type LoopRecord = {
  chainId: bigint
  txHash: Hex
  blockHash: Hex
  blockNumber: bigint
  timestamp: bigint
  source: string
  /** The access-list entries the transaction declared (CrossL2Inbox storage keys). */
  entries: Hex[]
  /** Log index of its ExecutingMessage log in the block. */
  logIndex: number
}

export type SweepStats = { rounds: number; last: SweepReport | undefined; evicted: Tally }

/** Sealed blocks by source (builder name or local), and every reason a builder block was not used. */
export type SequencerStats = { blocks: number; bySource: Tally; refused: Tally }

/** Transfers on chain 902 by route (see pbsTraffic.ts). */
export type TransferCounts = { viaIngress: number; builderOnly: number; engineOnly: number; failed: number }

/** How many loop records and refused transaction hashes are kept. */
export const RECENT_KEPT = 32

export type DevnetStats = {
  traffic: TrafficCounts
  ingress: IngressCounts
  loop: LoopCounts
  /** The newest finished loops (at most RECENT_KEPT). */
  loops: LoopRecord[]
  /** Hashes of the newest transactions the ingress refused (at most RECENT_KEPT). */
  refusedTxs: Hex[]
  sweep: SweepStats
  /** Per chain id ("901", "902"). */
  sequencers: Record<string, SequencerStats>
  transfers: TransferCounts
}

export function newStats(): DevnetStats {
  return {
    traffic: { initiated: 0, valid: 0, refused: 0, executed: 0, unexpected: 0 },
    ingress: { accepted: 0, refused: new Tally(), reorged: 0 },
    loop: { included: new Tally(), indexed: 0, crossUnsafe: 0, checkedNull: 0 },
    loops: [],
    refusedTxs: [],
    sweep: { rounds: 0, last: undefined, evicted: new Tally() },
    sequencers: {},
    transfers: { viaIngress: 0, builderOnly: 0, engineOnly: 0, failed: 0 },
  }
}

/** Appends to a list kept at RECENT_KEPT entries. */
export function keep<T>(list: T[], item: T): void {
  list.push(item)
  if (list.length > RECENT_KEPT) list.shift()
}

const paren = (t: Tally) => (t.total > 0 ? ` (${t})` : '')

/** One line per subsystem, printed every --report and at the end. */
export function summaryLines(s: DevnetStats, acceptedSetSize: number): string[] {
  const { traffic: t, ingress: i, loop: l, sweep: w, transfers: x } = s
  const last = w.last
  return [
    `supervisors: ${t.initiated} initiating messages emitted; ${t.valid} checked valid (unsafe and cross-unsafe), ${t.refused} forged copies refused${t.unexpected ? `, ${t.unexpected} UNEXPECTED verdicts` : ''}`,
    `ingress 902: ${i.accepted} accepted, ${i.refused.total} refused${paren(i.refused)}; ${acceptedSetSize} in its accepted set`,
    `loop: ${t.executed} executing txs accepted at an ingress → ${l.included.total} sealed${paren(l.included)} → ${l.indexed} indexed → ${l.crossUnsafe} cross-unsafe, ${l.checkedNull} checks answered null`,
    last
      ? `sweep: round ${last.round} re-checked ${last.pool.interop} accepted ${last.pool.interop === 1 ? 'tx' : 'txs'}: ${last.counts.valid} valid, ${last.counts.evict} evicted, ${last.counts.keep} kept; ${w.evicted.total} evicted so far${paren(w.evicted)}`
      : 'sweep: no round yet',
    ...Object.entries(s.sequencers).map(
      ([chain, q]) =>
        `sequencer ${chain}: ${q.blocks} blocks${paren(q.bySource)}; builder blocks refused: ${q.refused.total ? q.refused : 'none'}`,
    ),
    `transfers 902: ${x.viaIngress} through the ingress to the engine and both builders, ${x.builderOnly} to builder-b only, ${x.engineOnly} to the engine only${x.failed ? `, ${x.failed} FAILED` : ''}`,
  ]
}
