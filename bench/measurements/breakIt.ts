import type { ChaosFigures, LoadtestResult, ScenarioResult } from '../../src/loadtest/index.js'

type Scenario = { file: string; r: ScenarioResult }
type SealTiming = {
  deadlineToSeal?: { count: number; meanMs: number | null }
  engineGetPayload?: { count: number; meanMs: number | null }
  eventLoopDelayMs?: { p50: number | null; p99: number | null; max: number | null }
}

const sweepText = (f: ChaosFigures) =>
  f.sweep
    ? Object.entries(f.sweep)
        .map(([c, w]) => `${c} ${w.evictVerdicts}`)
        .join(', ')
    : 'not read'

const failed = (r: ScenarioResult) =>
  r.steps
    .flatMap((s) => s.expectations)
    .filter((e) => !e.ok)
    .map((e) => `\`${e.expect}\` (${e.actual})`)

const verdict = (r: ScenarioResult) =>
  r.passed ? 'every expectation held' : `expectations that did **not** hold: ${failed(r).join(', ')}`

const chainsText = (f: ChaosFigures) =>
  f.chains
    .map((c) => `${c.chain} ${c.slotsMissed} missed / ${c.blocksLate} late (longest gap ${c.maxGapS} s)`)
    .join('; ')

function reorg(s: Scenario, p: (l?: string) => void): void {
  const f = s.r.chaos as ChaosFigures
  const g = f.reorg
  const cut = f.faults.find((x) => x.action === 'reorg')
  p(`### A reorg of chain A's unsafe head under B's and C's messages (\`${s.r.scenario}\`)`)
  p()
  p(
    `Under the steady traffic (${f.rates.valid} + ${f.rates.plain} + ${f.rates.forged} tx/s), 8 fresh logs were emitted on A; for 4 s every valid interop transaction of B and C executed one of them; then A was cut back under their block (${cut?.detail ?? 'no cut recorded'}): leadership moved to the next node and its engine-sim was set back (\`debug_setHead\`, the removed blocks' transactions back in its pool), so the new leader's first block started the other branch and the other two engines followed it. The pin stayed 5 s more. Load average ${s.r.machine.loadAvg.join(' ')}.`,
  )
  p()
  if (!g) {
    p('No reorg figures in this run (the step did not complete).')
    p()
    return
  }
  p('| transactions executing the removed logs | count |')
  p('|---|---|')
  p(`| sent | ${g.executing} (orphaned: their log's block no longer canonical at the end: ${g.orphaned}) |`)
  p(`| refused by the ingress before / after the reorg | ${g.refusedBeforeReorg} / ${g.refusedAfterReorg} |`)
  p(
    `| accepted before / after the reorg | ${g.acceptedBeforeReorg} / ${g.acceptedAfterReorg}${g.acceptedAfterReorg ? ` (the last ${g.lastAcceptedAfterReorgMs} ms after the cut)` : ''} |`,
  )
  p(`| of the accepted: included in a block before the reorg | ${g.includedBeforeReorg} |`)
  p(`| of the accepted: included in a block after the reorg (without their log) | ${g.includedAfterReorg} |`)
  p(`| of the accepted: in no block by the end | ${g.notIncluded} |`)
  p(`| unanswered | ${g.unanswered} |`)
  p()
  p(
    `Figures of the whole window: valid refused ${f.validRefused} (the orphaned ones are not counted as valid), forged accepted ${f.forgedAccepted}, lost ${f.lost}, slots missed per chain: ${chainsText(f)} (on A the cut-away slots count as missed: the new branch's first block follows a parent ${cut ? 'several' : ''} slots older), time to recover ${f.recoverS === null ? '—' : `${f.recoverS.toFixed(1)} s`}; the sweeps' evict verdicts: ${sweepText(f)}. ${verdict(s.r)}.`,
  )
  p()
  p(
    `**Reading.** A message executed while its log existed and included before the reorg (${g.includedBeforeReorg} here) is the case no check can prevent: the executing block is valid when built and becomes invalid when the source reorgs (the interop protocol replaces such unsafe blocks). A message accepted after the cut (${g.acceptedAfterReorg}) is the supervisors' indexing lag (one poll a slot) showing through the ingress; one included after the cut (${g.includedAfterReorg}) is a transaction accepted before the reorg and sealed after it — the window of (d), which the sweep closes only at its next round (every 2 s) and, in this cluster, only by notifying the builders (the topology's sweeps run without \`--drop\` and the reference builder does not act on \`builder_evictTransactions\`), so the sequencer's own engine still includes it.`,
  )
  p()
}

function liar(s: Scenario, p: (l?: string) => void): void {
  const f = s.r.chaos as ChaosFigures
  p(`### A supervisor that lies (\`${s.r.scenario}\`)`)
  p()
  p(
    `The devnet's lying-supervisor double (a test double, devnet only: no production role has a lying mode) sits between supervisor 1 and its callers, the three ingresses (one vote of three, \`agreement\` 2 of 3) and the three sweeps (which ask supervisor 1 alone). For 20 s it answered every check wrongly: valid → -320600, definitively invalid → valid. Load average ${s.r.machine.loadAvg.join(' ')}.`,
  )
  p()
  p('| figure | value |')
  p('|---|---|')
  p(`| valid refused | ${f.validRefused} |`)
  p(`| forged accepted | ${f.forgedAccepted} of ${f.sent.forged} sent |`)
  p(`| lost | ${f.lost} |`)
  p(`| slots missed (worst chain) / blocks late | ${f.slotsMissed} / ${f.blocksLate} |`)
  p(`| time to recover | ${f.recoverS === null ? '—' : `${f.recoverS.toFixed(1)} s`} |`)
  p(`| the sweeps' evict verdicts in the window | ${sweepText(f)} |`)
  p()
  p(
    `**Reading.** ${verdict(s.r)}. With 2 of 3 required, one liar is outvoted on every transaction as long as the other two answer: its "valid" for a forged transaction and its "invalid" for a valid one are each one vote against two. The sweep has no such vote: it asks one supervisor, so while that one lies it judges the pool's valid interop transactions evict (the verdicts above) and tells the builders; in this cluster nothing is dropped (no \`--drop\`, and the reference builder ignores the notice), so the lie costs no transaction here — against a pool that drops on eviction it would evict every valid interop transaction for as long as it lies. A sweep with \`--failsafe-supervisor\` still asks one supervisor for verdicts; agreement in the sweep is not implemented.`,
  )
  p()
}

function flood(s: Scenario, p: (l?: string) => void): void {
  const f = s.r.chaos as ChaosFigures
  const floods = s.r.steps.filter((x) => x.kind === 'flood' && x.result)
  p(`### Builders flooding (\`${s.r.scenario}\`)`)
  p()
  p(
    `The builder API (\`pbs_submitBlock\`) of A's leader, signed with the cluster's builder secret (so the flood counts as that node's builder), first at a builder's ordinary rate as the baseline of the same run, then far above \`--builder-requests-per-second\` (50) and \`--max-submissions-per-job\` (20), while the steady traffic ran. Load average ${s.r.machine.loadAvg.join(' ')}.`,
  )
  p()
  p(
    '| flood | sent / answered | answers | latency p50 / p99 | sequencer: deadline → seal, engine getPayload (mean) | event-loop delay p99 |',
  )
  p('|---|---|---|---|---|---|')
  for (const st of floods) {
    const r = st.result as LoadtestResult
    const seq = (r.extra.sequencer ?? {}) as SealTiming
    const codes = Object.entries(r.codes)
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${c} ×${n}`)
      .join(', ')
    p(
      `| ${st.name ?? '—'} (${r.rate ?? 'closed loop'}/s) | ${r.requests.sent} / ${r.requests.answered} | ${codes || '—'} | ${r.latencyMs.p50} / ${r.latencyMs.p99} ms | ${seq.deadlineToSeal?.meanMs ?? '—'} ms (${seq.deadlineToSeal?.count ?? 0} seals), ${seq.engineGetPayload?.meanMs ?? '—'} ms | ${seq.eventLoopDelayMs?.p99 ?? '—'} ms |`,
    )
  }
  p()
  p(
    `Figures of the whole window: valid refused ${f.validRefused}, forged accepted ${f.forgedAccepted}, lost ${f.lost}, slots missed per chain: ${chainsText(f)}, time to recover ${f.recoverS === null ? '—' : `${f.recoverS.toFixed(1)} s`}. ${verdict(s.r)}.`,
  )
  p()
}

/** Section (e): the scenarios that break the cluster beyond a process fault (reorg, liar, flood), when their results exist. */
export function breakingSection(scenarios: readonly Scenario[], p: (l?: string) => void): void {
  const by = (name: string) => scenarios.find((s) => s.file === `scenario-${name}.json`)
  const parts = [
    ['reorg-under-messages', reorg],
    ['lying-supervisor', liar],
    ['builder-flood', flood],
  ] as const
  if (!parts.some(([n]) => by(n))) return
  p('## (e) Trying to break it: a reorg under executed messages, a lying supervisor, builders flooding')
  p()
  for (const [name, fn] of parts) {
    const s = by(name)
    if (s) fn(s, p)
    else p(`No result of \`scenarios/${name}.json\` yet (\`npm run measurements -- --scenarios=${name}\`).`)
  }
}
