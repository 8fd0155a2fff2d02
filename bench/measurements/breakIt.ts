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
    `Under the steady traffic (${f.rates.valid} + ${f.rates.plain} + ${f.rates.forged} tx/s), 8 fresh logs were emitted on A; for 4 s every valid interop transaction of B and C executed one of them; then A was cut back under their block (${cut?.detail ?? 'no cut recorded'}): with the conductor stand-in paused and the next node's sequencer held (SIGSTOP), leadership moved to that node and its engine-sim was set back (\`debug_setHead\`, the removed blocks' transactions back in its pool); continued, its sequencer built on the cut head, so its first block started the other branch and the other two engines followed it. The pin stayed 5 s more. Load average ${s.r.machine.loadAvg.join(' ')}.`,
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
    `**Reading.** A message executed while its log existed and included before the reorg (${g.includedBeforeReorg} here) is the case no check can prevent: the executing block was valid when built and becomes invalid when the source reorgs (the interop protocol replaces such unsafe blocks). Accepted after the cut: ${g.acceptedAfterReorg}, the last ${g.lastAcceptedAfterReorgMs} ms after it — the supervisors had not yet seen the new branch (the new leader's first block comes a slot or more after the cut, and each supervisor polls once a slot), so the ingress still found the logs. Included after the cut: ${g.includedAfterReorg} (accepted before it and sealed after, or accepted after it): nothing removed them in time — the sweeps run every 2 s, need two of three supervisors to agree, and made ${g.includedAfterReorg > 0 ? `${Object.values(f.sweep ?? {}).reduce((a, w) => a + w.evictVerdicts, 0)} evict verdict(s)` : 'no needed verdict'} in the window, and in this cluster an eviction reaches the builders (\`builder_evictTransactions\`: they drop it from their mempools) but not the engines (the sweeps run without \`--drop\`). These are the transactions of (d)'s window, measured: only a builder-time check (or a sweep faster than a slot) would have kept them out. ${g.includedAfterReorg === 0 ? 'None was included after the cut.' : 'The expectation "never included after the reorg without its log" does not hold here.'}`,
  )
  p()
}

function liar(s: Scenario, p: (l?: string) => void): void {
  const f = s.r.chaos as ChaosFigures
  p(`### A supervisor that lies (\`${s.r.scenario}\`)`)
  p()
  p(
    `The devnet's lying-supervisor double (a test double in a process of its own, devnet only: no production role has a lying mode) sits between supervisor 1 and its callers, the three ingresses (one vote of three, \`agreement\` with \`--min-responses 2\`) and the three sweeps (which ask supervisors 1–3 and need two of three). For 20 s it answered every check wrongly: valid → -320600, definitively invalid → valid. Load average ${s.r.machine.loadAvg.join(' ')}.`,
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
    `**Reading.** ${verdict(s.r)}. The ingresses' \`agreement\` (2 of 3) decides when two definitive answers agree and, on a mix, waits for the third supervisor (the first run of this scenario, before that rule, decided on the first two answers with the first rejection winning, and refused 29 valid transactions). Forged accepted ${f.forgedAccepted}: the liar's "valid" for a forged transaction meets two honest "invalid". Valid refused ${f.validRefused} (${
      Object.entries(f.refusedByCode)
        .map(([c, n]) => `${c} ×${n}`)
        .join(', ') || 'none'
    })${f.validRefused === 0 ? ': the liar\'s "invalid" is outvoted by the two honest "valid"' : ": with the liar answering wrongly, one more supervisor not answering within the ingress's timeout leaves no two agreeing answers, and the ingress fails closed"}. The sweeps vote too (\`--vote\`: supervisor 1, through the liar, and supervisors 2 and 3; a verdict needs two of three), so the liar's "invalid" evicts nothing: the sweeps' evict verdicts in the window: ${sweepText(f)}; lost ${f.lost}. (A run with the sweeps asking supervisor 1 alone made 80 evict verdicts on valid transactions, the builders dropped them on the sweeps' notice, and 30 accepted transactions ended in no block.)`,
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
  const seal = (st: (typeof floods)[number] | undefined) =>
    ((st?.result as LoadtestResult | undefined)?.extra.sequencer as SealTiming | undefined)?.deadlineToSeal?.meanMs
  const [base, big] = [seal(floods[0]), seal(floods[floods.length - 1])]
  const heavy = floods[floods.length - 1]?.result as LoadtestResult | undefined
  if (floods.length >= 2 && base && big && heavy)
    p(
      `Deadline → seal on the flooded sequencer: ${big} ms under the flood against ${base} ms at the baseline of the same run (ratio ${(big / base).toFixed(2)}). The flood was answered by the documented limits: HTTP 429 / -32017 (over \`--builder-requests-per-second\`) ×${heavy.codes['-32017'] ?? 0}, \`rejected:rate_limited\` ×${heavy.codes['rejected:rate_limited'] ?? 0}, and for blocks of a job that had moved on \`unknown_job\` ×${heavy.codes['rejected:unknown_job'] ?? 0}, \`job_sealed\` ×${heavy.codes['rejected:job_sealed'] ?? 0}, \`past_deadline\` ×${heavy.codes['rejected:past_deadline'] ?? 0}; malformed ones -32602 ×${heavy.codes['-32602'] ?? 0}. The load generator reached ${heavy.requests.sent} submissions in ${heavy.durationS} s (${Math.round(heavy.requests.sent / Math.max(1, heavy.durationS))}/s of the ${heavy.rate}/s asked: the loaded box limited the flooder too).`,
    )
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
