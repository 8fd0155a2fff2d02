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

/**
 * The reorg step's figures: valid interop transactions that executed a log it pinned (emitted on
 * the reorged chain, then reorged out), and what became of each. The bad outcomes are
 * `acceptedAfterReorg` (the ingress let one through after the log was gone) and `includedAfterReorg`
 * (a block sealed after the reorg carries one); one included before the reorg is the window the
 * document's hypothesis (d) is about.
 */
export type ReorgFigures = {
  sourceChain: string
  /** When the reorg step cut the chain (ms since the scenario began). */
  reorgAtMs: number
  /** Valid transactions sent executing a pinned log. */
  executing: number
  /** Of those, executing a log whose block is no longer canonical at the end. */
  orphaned: number
  /** Of the orphaned, by outcome and time: refused at the ingress (before / after the reorg), accepted (before / after). */
  refusedBeforeReorg: number
  refusedAfterReorg: number
  acceptedBeforeReorg: number
  acceptedAfterReorg: number
  /** The last accepted after the reorg: ms after it (0: none). */
  lastAcceptedAfterReorgMs: number
  /** Accepted orphaned transactions in a block timestamped before / after the reorg, and in none by the end. */
  includedBeforeReorg: number
  includedAfterReorg: number
  notIncluded: number
  unanswered: number
  /** Up to 10 orphaned transactions included after the reorg: hash, chain, ms from the reorg to the block. */
  includedAfterExamples: { hash: string; chain: string; blockAfterReorgMs: number }[]
}

/** What each chain's sweep did during the window (its /metrics, before and after): evict verdicts (a transaction left in the pool, as without --drop, is judged again every round), builder notices sent, rounds. */
export type SweepFigures = Record<string, { evictVerdicts: number; notified: number; rounds: number }>

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
  /** Present when a reorg step ran (scenarios/reorg-under-messages.json). */
  reorg?: ReorgFigures
  /** Each chain's sweep during the window (absent when its metrics were not read). */
  sweep?: SweepFigures
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
  sweep?: SweepFigures
}

function reorgFigures(
  i: FigureInput,
  landedAt: Map<string, number>,
): { figures: ReorgFigures; orphaned: Set<string> } | undefined {
  const pinned = i.sent.filter((t) => t.source !== undefined)
  const cut = [...i.faults].reverse().find((f) => f.action === 'reorg')
  if (pinned.length === 0 || !cut) return undefined
  const sourceChain = pinned[0]!.source!.chain
  const canonical = new Map<number, string>()
  for (const c of i.chains)
    if (c.watch.name === sourceChain) for (const b of c.blocks) canonical.set(b.number, b.hash.toLowerCase())
  const orphaned = pinned.filter((t) => canonical.get(t.source!.blockNumber) !== t.source!.blockHash)
  const reorgWallMs = i.wallT0 + cut.atMs
  const r: ReorgFigures = {
    sourceChain,
    reorgAtMs: cut.atMs,
    executing: pinned.length,
    orphaned: orphaned.length,
    refusedBeforeReorg: 0,
    refusedAfterReorg: 0,
    acceptedBeforeReorg: 0,
    acceptedAfterReorg: 0,
    lastAcceptedAfterReorgMs: 0,
    includedBeforeReorg: 0,
    includedAfterReorg: 0,
    notIncluded: 0,
    unanswered: 0,
    includedAfterExamples: [],
  }
  for (const t of orphaned) {
    const after = t.sentMs >= cut.atMs
    if (t.outcome === 'refused') after ? r.refusedAfterReorg++ : r.refusedBeforeReorg++
    else if (t.outcome === 'unanswered') r.unanswered++
    if (t.outcome !== 'accepted') continue
    if (after) {
      r.acceptedAfterReorg++
      r.lastAcceptedAfterReorgMs = Math.max(r.lastAcceptedAfterReorgMs, t.sentMs - cut.atMs)
    } else r.acceptedBeforeReorg++
    const ts = landedAt.get(t.hash)
    if (ts === undefined) r.notIncluded++
    else if (ts * 1000 < reorgWallMs) r.includedBeforeReorg++
    else {
      r.includedAfterReorg++
      if (r.includedAfterExamples.length < 10)
        r.includedAfterExamples.push({ hash: t.hash, chain: t.chain, blockAfterReorgMs: ts * 1000 - reorgWallMs })
    }
  }
  return { figures: r, orphaned: new Set(orphaned.map((t) => t.hash)) }
}

export function computeFigures(i: FigureInput): ChaosFigures {
  const sent = zero()
  const accepted = zero()
  const refused = zero()
  const refusedByCode: Record<string, number> = {}
  // Where every transaction landed, and when its block was first seen.
  const landed = new Map<string, number | undefined>()
  const landedAt = new Map<string, number>()
  for (const c of i.chains)
    for (const b of c.blocks) {
      const seen = c.watch.seenAt(b.number)
      for (const h of b.txs) {
        landed.set(h, seen)
        landedAt.set(h, b.timestamp)
      }
    }
  // A valid transaction whose initiating log a reorg removed is valid no more: its fate is in `reorg`.
  const reorg = reorgFigures(i, landedAt)
  const orphan = (t: SentTx) => reorg?.orphaned.has(t.hash) === true
  let unanswered = 0
  let orphanedRefused = 0
  for (const t of i.sent) {
    sent[t.case]++
    if (t.outcome === 'accepted') accepted[t.case]++
    else if (t.outcome === 'refused') {
      refused[t.case]++
      if (orphan(t)) orphanedRefused++
      else if (t.case !== 'forged') refusedByCode[String(t.code)] = (refusedByCode[String(t.code)] ?? 0) + 1
    } else if (t.outcome === 'unanswered') unanswered++
  }
  const lostTx = i.sent.filter(
    (t) => t.outcome === 'accepted' && t.case !== 'forged' && !landed.has(t.hash) && !orphan(t),
  )
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
    if (t.outcome === 'refused' && t.case !== 'forged' && !orphan(t)) s.validRefused++
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
    validRefused: refused.plain + refused.valid - orphanedRefused,
    refusedByCode,
    refusedExamples: i.sent
      .filter((t) => t.outcome === 'refused' && t.case !== 'forged' && !orphan(t))
      .slice(0, 20)
      .map((t) => ({ atMs: t.sentMs, chain: t.chain, case: t.case, code: t.code, message: t.message })),
    forgedAccepted: accepted.forged,
    unanswered,
    skipped: i.skipped,
    included: i.sent.filter((t) => t.outcome === 'accepted' && t.case !== 'forged' && landed.has(t.hash)).length,
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
    ...(reorg ? { reorg: reorg.figures } : {}),
    ...(i.sweep ? { sweep: i.sweep } : {}),
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
  'reorgOrphaned',
  'reorgAcceptedAfter',
  'reorgIncludedAfter',
  'sweepEvictVerdicts',
] as const

export function chaosMetric(f: ChaosFigures, name: string): number {
  switch (name) {
    case 'reorgOrphaned':
      return f.reorg?.orphaned ?? 0
    case 'reorgAcceptedAfter':
      return f.reorg?.acceptedAfterReorg ?? 0
    case 'reorgIncludedAfter':
      return f.reorg?.includedAfterReorg ?? 0
    case 'sweepEvictVerdicts':
      return Object.values(f.sweep ?? {}).reduce((a, s) => a + s.evictVerdicts, 0)
    case 'recoverS':
      return f.recoverS ?? Number.POSITIVE_INFINITY
    case 'accepted':
      return f.accepted.plain + f.accepted.valid
    default:
      return f[name as 'lost'] as number
  }
}
