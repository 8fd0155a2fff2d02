import { esc, lineChart, rowChart } from '../charts.js'
import type { ScenarioResult } from '../scenario.js'
import type { ChaosFigures } from './figures.js'

const GREEN = '#16a34a'
const RED = '#dc2626'
const GREY = '#6b7280'
const CHAIN_COLORS = ['#2563eb', '#ea580c', '#7c3aed']

/** The reorg step's figures in one sentence (printed and in the report). */
export function reorgLine(f: ChaosFigures): string | undefined {
  const r = f.reorg
  if (!r) return undefined
  return `${r.executing} valid interop transactions executed logs of ${r.sourceChain} that the reorg at ${(r.reorgAtMs / 1000).toFixed(1)}s removed (${r.orphaned} of them orphaned): refused ${r.refusedBeforeReorg} before / ${r.refusedAfterReorg} after the reorg, accepted ${r.acceptedBeforeReorg} before / ${r.acceptedAfterReorg} after${r.acceptedAfterReorg ? ` (the last ${r.lastAcceptedAfterReorgMs} ms after)` : ''}; of the accepted, included before the reorg ${r.includedBeforeReorg}, included after it ${r.includedAfterReorg}, in no block ${r.notIncluded}; unanswered ${r.unanswered}`
}

/** The sweeps' work in the window (evict verdicts, builder notices, rounds per chain). */
export function sweepLine(f: ChaosFigures): string | undefined {
  if (!f.sweep) return undefined
  return Object.entries(f.sweep)
    .map(([c, w]) => `${c}: ${w.evictVerdicts} evict verdicts, ${w.notified} builder notices, ${w.rounds} rounds`)
    .join('; ')
}

/** The chaos figures as the lines `loadtest run` prints under a traffic step. */
export function formatChaos(f: ChaosFigures): string {
  const chains = f.chains
    .map(
      (c) =>
        `${c.chain}: ${c.blocks} blocks, ${c.slotsMissed} slots missed, ${c.blocksLate} late, max gap ${c.maxGapS}s${c.leaderChanges.length ? `, leader ${c.leaderChanges.map((l) => `${l.from}→${l.to} at ${(l.atMs / 1000).toFixed(1)}s`).join(', ')}` : ''}`,
    )
    .join('\n             ')
  return [
    `  traffic    ${f.durationS}s: sent plain ${f.sent.plain}, valid ${f.sent.valid}, forged ${f.sent.forged}; accepted ${f.accepted.plain + f.accepted.valid + f.accepted.forged}; unanswered ${f.unanswered}; skipped ${f.skipped}`,
    `  refused    valid transactions refused ${f.validRefused}${
      f.validRefused
        ? ` (${Object.entries(f.refusedByCode)
            .map(([c, n]) => `${c} ×${n}`)
            .join(', ')})`
        : ''
    }; forged accepted ${f.forgedAccepted}`,
    `  included   ${f.included}; lost ${f.lost}; ingress → block p50 ${f.inclusionMs.p50}ms p99 ${f.inclusionMs.p99}ms max ${f.inclusionMs.max}ms`,
    `  chains     ${chains}`,
    `  recovery   ${f.recoverS === null ? 'not measured' : `${f.recoverS}s after the first fault (${f.recoverAfterLastActionS}s after the last action)`}`,
    ...(f.reorg ? [`  reorg      ${reorgLine(f)}`] : []),
    ...(f.sweep ? [`  sweep      ${sweepLine(f)}`] : []),
    '',
  ].join('\n')
}

function section(title: string, note: string, chart: string): string {
  return `<section><h2>${esc(title)}</h2><p>${note}</p>${chart}</section>`
}

function table(rows: [string, string][]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`
}

function figuresHtml(f: ChaosFigures, title: string): string {
  const rows: [string, string][] = [
    ['window', `${f.durationS} s from ${f.startedAt}, slots of ${f.slotMs / 1000} s`],
    ['asked', `${f.rates.valid} interop + ${f.rates.plain} plain + ${f.rates.forged} forged tx/s across the chains`],
    [
      'sent',
      `plain ${f.sent.plain}, valid ${f.sent.valid}, forged ${f.sent.forged} (unanswered ${f.unanswered}, skipped ${f.skipped})`,
    ],
    [
      'valid transactions refused',
      `${f.validRefused}${
        f.validRefused
          ? ` (${Object.entries(f.refusedByCode)
              .map(([c, n]) => `${c} ×${n}`)
              .join(', ')})`
          : ''
      }`,
    ],
    ['forged accepted', String(f.forgedAccepted)],
    ['transactions lost', `${f.lost} (accepted, in no block by the end; ${f.included} included)`],
    [
      'ingress → block',
      `p50 ${f.inclusionMs.p50} ms, p90 ${f.inclusionMs.p90} ms, p99 ${f.inclusionMs.p99} ms, max ${f.inclusionMs.max} ms`,
    ],
    ['slots missed (worst chain)', String(f.slotsMissed)],
    ['blocks late', String(f.blocksLate)],
    ['leader changes', String(f.leaderChanges)],
    [
      'time to recover',
      f.recoverS === null
        ? 'not measured'
        : `${f.recoverS} s from the first fault (${f.recoverAfterLastActionS} s from the last action)`,
    ],
    ...(f.reorg ? [['reorged messages', reorgLine(f)!] as [string, string]] : []),
    ...(f.sweep ? [['sweeps', sweepLine(f)!] as [string, string]] : []),
    ...f.chains.map((c): [string, string] => [
      `chain ${c.chain} (${c.chainId})`,
      `${c.blocks} blocks, ${c.slotsMissed} slots missed, ${c.blocksLate} late, longest gap ${c.maxGapS} s, seen ${c.seenDelayMs.p50}/${c.seenDelayMs.max} ms (p50/max) after the timestamp${c.leaderChanges.length ? `; leader ${c.leaderChanges.map((l) => `${l.from} → ${l.to} at ${(l.atMs / 1000).toFixed(1)} s`).join(', ')}` : ''}`,
    ]),
  ]
  const faults =
    f.faults.length === 0
      ? '<p>No fault.</p>'
      : `<table><tr><th>at</th><th>action</th><th>process</th><th>pid</th></tr>${f.faults
          .map(
            (x) =>
              `<tr><td>${(x.atMs / 1000).toFixed(1)} s</td><td>${esc(x.action)}${x.detail ? ` ${esc(x.detail)}` : ''}</td><td>${esc(x.target)}</td><td>${x.pid ?? '—'}</td></tr>`,
          )
          .join('')}</table>`
  const charts = [
    section(
      'Transactions',
      'Sent and accepted in each second of the traffic; red: valid transactions refused.',
      lineChart(
        'accepted',
        'accepted per second',
        f.perSecond.map((s) => ({ x: s.t + 1, y: s.accepted })),
        'tx/s',
        GREEN,
      ) +
        lineChart(
          'refused',
          'valid refused per second',
          f.perSecond.map((s) => ({ x: s.t + 1, y: s.validRefused })),
          'tx/s',
          RED,
        ),
    ),
    ...Object.entries(f.blocksPerSecond).map(([chain, row], i) =>
      section(
        `Blocks of chain ${chain}`,
        'Blocks per second of timestamp: a gap is a missed slot.',
        lineChart(
          `blocks-${chain}`,
          `chain ${chain}: blocks per second`,
          row.map((r) => ({ x: r.t + 1, y: r.blocks })),
          'blocks',
          CHAIN_COLORS[i % CHAIN_COLORS.length]!,
        ),
      ),
    ),
    section(
      'Refusals by code',
      'Valid and plain transactions the ingress refused, by JSON-RPC code.',
      rowChart(
        'codes',
        'refusals by code',
        Object.entries(f.refusedByCode).map(([label, value]) => ({
          label,
          value,
          color: label === 'undefined' ? GREY : RED,
        })),
      ),
    ),
  ]
  return `<h2>${esc(title)}</h2>${table(rows)}<h3>Faults</h3>${faults}<div class="charts">${charts.join('\n')}</div>`
}

/** The HTML report of a scenario run (`loadtest run --report`): each step's outcome, and each traffic window's figures and charts. */
export function renderScenarioReport(r: ScenarioResult): string {
  const steps = `<table><tr><th>step</th><th>kind</th><th>from</th><th>to</th><th>expectations</th></tr>${r.steps
    .map(
      (s) =>
        `<tr><td>${s.index + 1}${s.name ? ` ${esc(s.name)}` : ''}</td><td>${esc(s.kind)}</td><td>${(s.startMs / 1000).toFixed(1)} s</td><td>${(s.endMs / 1000).toFixed(1)} s</td><td>${s.expectations.map((e) => `<span class="${e.ok ? 'ok' : 'bad'}">${esc(e.expect)} (${e.actual})</span>`).join(', ')}</td></tr>`,
    )
    .join('')}</table>`
  const loads = r.steps
    .filter((s) => s.result)
    .map((s) => {
      const x = s.result!
      const seq = x.extra.sequencer as
        | { deadlineToSeal?: { count: number; meanMs: number | null }; engineGetPayload?: { meanMs: number | null } }
        | undefined
      const rows: [string, string][] = [
        ['target', `${x.kind} ${x.target} (${x.method})`],
        ['requests', `${x.requests.sent} sent, ${x.requests.answered} answered at ${x.rate ?? 'closed loop'}/s asked`],
        [
          'answers',
          Object.entries(x.codes)
            .sort((a, b) => b[1] - a[1])
            .map(([c, n]) => `${c} ×${n}`)
            .join(', ') || '—',
        ],
        [
          'HTTP',
          Object.entries(x.http)
            .map(([c, n]) => `${c} ×${n}`)
            .join(', ') || '—',
        ],
        ['latency', `p50 ${x.latencyMs.p50} ms, p99 ${x.latencyMs.p99} ms, max ${x.latencyMs.max} ms`],
        ['timeouts / transport errors', `${x.timeouts} / ${x.transportErrors}`],
        ...(seq
          ? [
              [
                'sequencer',
                `deadline → seal ${seq.deadlineToSeal?.meanMs ?? '—'} ms mean over ${seq.deadlineToSeal?.count ?? 0} seals, engine getPayload ${seq.engineGetPayload?.meanMs ?? '—'} ms`,
              ] as [string, string],
            ]
          : []),
      ]
      return `<h2>Load of step ${s.index + 1}${s.name ? ` (${esc(s.name)})` : ''}</h2>${table(rows)}`
    })
    .join('\n')
  const windows = r.steps
    .filter((s) => s.chaos)
    .map((s) => figuresHtml(s.chaos!, `Traffic measured at step ${s.index + 1}${s.name ? ` (${s.name})` : ''}`))
    .join('\n')
  const about: [string, string][] = [
    ['scenario', r.scenario],
    ['started', r.startedAt],
    [
      'machine',
      `${r.machine.hostname}, ${r.machine.platform}, ${r.machine.cpus} × ${r.machine.cpu}, ${r.machine.memoryGiB} GiB, load ${r.machine.loadAvg.join(' ')}`,
    ],
    ['versions', `superguard ${r.versions.superguard}, Node.js ${r.versions.node}`],
  ]
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>superguard scenario: ${esc(r.name ?? r.scenario)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1360px;padding:0 16px;color:#111827}
h1{font-size:20px;margin:0 0 12px}h2{font-size:16px;margin:24px 0 6px}h3{font-size:14px;margin:12px 0 4px}p{margin:0 0 6px;color:#4b5563}
table{border-collapse:collapse;margin:6px 0}td,th{padding:3px 10px 3px 0;text-align:left;vertical-align:top}th{color:#4b5563;font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:8px 32px}
svg{width:100%;height:auto;background:#fafafa;border:1px solid #e5e7eb;border-radius:4px}
.grid{stroke:#e5e7eb}.tick{font-size:11px;fill:#4b5563}.axis{font-size:11px;fill:#6b7280}
.ok{color:${GREEN}}.bad{color:${RED}}
</style></head><body>
<h1>${esc(r.name ?? r.scenario)} <span class="${r.passed ? 'ok' : 'bad'}">${r.passed ? 'passed' : 'FAILED'}</span></h1>
${steps}
${loads}
${windows}
<h2>Run</h2>
${table(about)}
</body></html>
`
}
