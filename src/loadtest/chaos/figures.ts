import type { CanonicalBlock, ChainWatch, LeaderChange } from './chainWatch.js'
import type { SentTx, TrafficCase } from './traffic.js'

export type Quantiles = { n: number; p50: number; p90: number; p99: number; max: number }

export type ChainFigures = {
  chain: string
  chainId: number
  /** Blocks whose timestamp falls in the window. */
  blocks: number
  /** Slots in the window without a block (timestamp gaps over one slot, and a stalled tail). */
  slotsMissed: number
  /** Blocks first seen more than one slot plus the 250 ms poll after their timestamp. */
  blocksLate: number
  /** The longest gap between two blocks' timestamps, seconds. */
  maxGapS: number
  leaderChanges: LeaderChange[]
  /** From a block's timestamp to when the watcher first saw it (wall clock), ms. */
  seenDelayMs: Quantiles
}

export type FaultRecord = { atMs: number; action: string; target: string; pid: number | null; detail?: string }

/** What a chaos scenario measured (README "Chaos scenarios"); fields are added, never renamed. */
export type ChaosFigures = {
  schema: 1
  startedAt: string
  durationS: number
  slotMs: number
  rates: Record<TrafficCase, number>
  sent: Record<TrafficCase, number>
  accepted: Record<TrafficCase, number>
  refused: Record<TrafficCase, number>
  /** Valid and plain transactions the ingress refused. */
  validRefused: number
  refusedByCode: Record<string, number>
  /** The first valid or plain transactions refused: when (ms since the scenario began), where, why. */
  refusedExamples: {
    atMs: number
    chain: string
    case: string
    code: number | undefined
    message: string | undefined
  }[]
  /** Forged interop transactions the ingress accepted. */
  forgedAccepted: number
  /** No answer within the timeout (ambiguous: not counted as refused, nor as lost). */
  unanswered: number
  /** Due while every sender of the chain waited for an answer (the ingress slower than the rate). */
  skipped: number
  /** Accepted valid and plain transactions in a block by the end. */
  included: number
  /** Accepted valid and plain transactions in no block by the end (the topology's engines cannot drop one with a reason). */
  lost: number
  lostExamples: { chain: string; case: string; hash: string; acceptedMs: number | undefined }[]
  /** From the ingress's answer to the first sight of the including block. */
  inclusionMs: Quantiles
  /** Those times, every one up to 5,000 (then an even sample): the reorg-window simulation's input. */
  inclusionSamplesMs: number[]
  /** The most any one chain missed; blocksLate and leaderChanges summed over the chains. */
  slotsMissed: number
  blocksLate: number
  leaderChanges: number
  chains: ChainFigures[]
  faults: FaultRecord[]
  /** From the first fault to every process running and every chain growing again; null: not measured or not recovered. */
  recoverS: number | null
  /** From the last fault action (e.g. the SIGCONT) to recovery. */
  recoverAfterLastActionS: number | null
  perSecond: { t: number; sent: number; accepted: number; validRefused: number; forgedAccepted: number }[]
  blocksPerSecond: Record<string, { t: number; blocks: number }[]>
}

export function quantiles(values: number[]): Quantiles {
  const v = [...values].sort((a, b) => a - b)
  const q = (p: number) => (v.length === 0 ? 0 : v[Math.min(v.length - 1, Math.floor(p * v.length))]!)
  return { n: v.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: v.length === 0 ? 0 : v[v.length - 1]! }
}

const zero = (): Record<TrafficCase, number> => ({ plain: 0, valid: 0, forged: 0 })

export type FigureInput = {
  startedAt: string
  /** Wall-clock ms of the scenario's t0 (the watchers' and traffic's times are relative to it). */
  wallT0: number
  windowMs: [number, number]
  slotMs: number
  rates: Record<TrafficCase, number>
  sent: readonly SentTx[]
  skipped: number
  chains: { watch: ChainWatch; blocks: CanonicalBlock[] }[]
  faults: FaultRecord[]
  recover: { sinceFirstMs: number; sinceLastMs: number } | null
}

export function computeFigures(i: FigureInput): ChaosFigures {
  const sent = zero()
  const accepted = zero()
  const refused = zero()
  const refusedByCode: Record<string, number> = {}
  let unanswered = 0
  for (const t of i.sent) {
    sent[t.case]++
    if (t.outcome === 'accepted') accepted[t.case]++
    else if (t.outcome === 'refused') {
      refused[t.case]++
      if (t.case !== 'forged') refusedByCode[String(t.code)] = (refusedByCode[String(t.code)] ?? 0) + 1
    } else if (t.outcome === 'unanswered') unanswered++
  }
  // Where every transaction landed, and when its block was first seen.
  const landed = new Map<string, number | undefined>()
  for (const c of i.chains)
    for (const b of c.blocks) {
      const seen = c.watch.seenAt(b.number)
      for (const h of b.txs) landed.set(h, seen)
    }
  const lostTx = i.sent.filter((t) => t.outcome === 'accepted' && t.case !== 'forged' && !landed.has(t.hash))
  const inclusion: number[] = []
  for (const t of i.sent) {
    if (t.outcome !== 'accepted' || t.case === 'forged') continue
    const seen = landed.get(t.hash)
    if (seen !== undefined && t.answeredMs !== undefined) inclusion.push(Math.max(0, seen - t.answeredMs))
  }
  const slotS = i.slotMs / 1000
  const [from, to] = i.windowMs.map((ms) => (i.wallT0 + ms) / 1000) as [number, number]
  const chains: ChainFigures[] = i.chains.map(({ watch, blocks }) => {
    const inWindow = blocks.filter((b) => b.timestamp >= Math.floor(from) - slotS && b.timestamp <= to)
    let missed = 0
    let maxGap = 0
    for (let k = 1; k < inWindow.length; k++) {
      const gap = inWindow[k]!.timestamp - inWindow[k - 1]!.timestamp
      maxGap = Math.max(maxGap, gap)
      missed += Math.max(0, Math.round(gap / slotS) - 1)
    }
    // A chain that stopped: the slots from its last block to the end of the window (one slot of slack for the poll).
    const last = inWindow[inWindow.length - 1]
    if (last) missed += Math.max(0, Math.floor((to - last.timestamp) / slotS) - 1)
    const delays: number[] = []
    let late = 0
    for (const b of inWindow) {
      const seen = watch.seenAt(b.number)
      if (seen === undefined) continue
      const d = i.wallT0 + seen - b.timestamp * 1000
      delays.push(Math.round(d))
      if (d > i.slotMs + 250) late++
    }
    return {
      chain: watch.name,
      chainId: watch.chainId,
      blocks: inWindow.length,
      slotsMissed: missed,
      blocksLate: late,
      maxGapS: maxGap,
      leaderChanges: watch.leaders.slice(1),
      seenDelayMs: quantiles(delays),
    }
  })
  const seconds = Math.max(1, Math.ceil((i.windowMs[1] - i.windowMs[0]) / 1000))
  const perSecond = Array.from({ length: seconds }, (_, t) => ({
    t,
    sent: 0,
    accepted: 0,
    validRefused: 0,
    forgedAccepted: 0,
  }))
  for (const t of i.sent) {
    const s = perSecond[Math.floor((t.sentMs - i.windowMs[0]) / 1000)]
    if (!s) continue
    s.sent++
    if (t.outcome === 'accepted') s.accepted++
    if (t.outcome === 'refused' && t.case !== 'forged') s.validRefused++
    if (t.outcome === 'accepted' && t.case === 'forged') s.forgedAccepted++
  }
  const blocksPerSecond: ChaosFigures['blocksPerSecond'] = {}
  for (const { watch, blocks } of i.chains) {
    const row = Array.from({ length: seconds }, (_, t) => ({ t, blocks: 0 }))
    for (const b of blocks) {
      const k = Math.floor(b.timestamp - from)
      if (row[k]) row[k]!.blocks++
    }
    blocksPerSecond[watch.name] = row
  }
  return {
    schema: 1,
    startedAt: i.startedAt,
    durationS: Math.round(i.windowMs[1] - i.windowMs[0]) / 1000,
    slotMs: i.slotMs,
    rates: i.rates,
    sent,
    accepted,
    refused,
    validRefused: refused.plain + refused.valid,
    refusedByCode,
    refusedExamples: i.sent
      .filter((t) => t.outcome === 'refused' && t.case !== 'forged')
      .slice(0, 20)
      .map((t) => ({ atMs: t.sentMs, chain: t.chain, case: t.case, code: t.code, message: t.message })),
    forgedAccepted: accepted.forged,
    unanswered,
    skipped: i.skipped,
    included: accepted.plain + accepted.valid - lostTx.length,
    lost: lostTx.length,
    lostExamples: lostTx
      .slice(0, 20)
      .map((t) => ({ chain: t.chain, case: t.case, hash: t.hash, acceptedMs: t.answeredMs })),
    inclusionMs: quantiles(inclusion),
    inclusionSamplesMs: inclusion.filter((_, k) => k % Math.ceil(inclusion.length / 5_000) === 0),
    slotsMissed: Math.max(0, ...chains.map((c) => c.slotsMissed)),
    blocksLate: chains.reduce((a, c) => a + c.blocksLate, 0),
    leaderChanges: chains.reduce((a, c) => a + c.leaderChanges.length, 0),
    chains,
    faults: i.faults,
    recoverS: i.recover ? i.recover.sinceFirstMs / 1000 : null,
    recoverAfterLastActionS: i.recover ? i.recover.sinceLastMs / 1000 : null,
    perSecond,
    blocksPerSecond,
  }
}

/** The figures an `expect` of a chaos step names: `validRefused=0`, `slotsMissed<=1`, `recoverS<20`. */
export const CHAOS_METRICS = [
  'validRefused',
  'forgedAccepted',
  'lost',
  'unanswered',
  'skipped',
  'slotsMissed',
  'blocksLate',
  'leaderChanges',
  'recoverS',
  'included',
  'accepted',
] as const

export function chaosMetric(f: ChaosFigures, name: string): number {
  switch (name) {
    case 'recoverS':
      return f.recoverS ?? Number.POSITIVE_INFINITY
    case 'accepted':
      return f.accepted.plain + f.accepted.valid
    default:
      return f[name as 'lost'] as number
  }
}
