import { barChart, esc, lineChart, rowChart } from './charts.js'
import type { LoadtestResult } from './result.js'

const BLUE = '#2563eb'
const ORANGE = '#ea580c'
const GREEN = '#16a34a'
const RED = '#dc2626'
const GREY = '#6b7280'

/**
 * The HTML report: one self-contained page (inline CSS and SVG, no script from elsewhere, no
 * network): throughput and p99 over time, the latency histogram, the code mix, wrong verdicts by
 * case, then the command line, the machine and the versions.
 */
export function renderReport(r: LoadtestResult): string {
  const wrong = Object.values(r.wrongVerdicts).reduce((a, b) => a + b, 0)
  const perSecond = r.perSecond
  const charts = [
    section(
      'Throughput',
      'Answered requests in each second of the load.',
      lineChart(
        'throughput',
        'answered requests per second',
        perSecond.map((s) => ({ x: s.t + 1, y: s.requests })),
        'req/s',
        BLUE,
      ),
    ),
    section(
      'p99 latency',
      '99th percentile of the latency of the requests answered in each second.',
      lineChart(
        'p99',
        'p99 latency per second (ms)',
        perSecond.map((s) => ({ x: s.t + 1, y: s.p99 })),
        'ms',
        ORANGE,
      ),
    ),
    section(
      'Latency histogram',
      'Answered requests by latency; buckets are log-spaced (each about 22% wider than the last), labelled with their upper bound.',
      barChart(
        'histogram',
        'latency histogram',
        r.histogram.map((b) => ({ label: `${fmtMs(b.leMs)}`, value: b.count })),
        'requests',
        BLUE,
      ),
    ),
    section(
      'Code mix',
      'Every answered call by its JSON-RPC code (<code>null</code>: answered without error; builder: <code>accepted</code> / <code>rejected:reason</code>).',
      rowChart(
        'codes',
        'answers by code',
        Object.entries(r.codes)
          .sort((a, b) => b[1] - a[1])
          .map(([label, value]) => ({
            label,
            value,
            color: label === 'null' || label === 'accepted' ? GREEN : label === 'garbage' ? RED : GREY,
          })),
      ),
    ),
    section(
      'Wrong verdicts by case',
      'Calls whose answer was not the expected verdict, per case (transport errors and timeouts are counted apart).',
      rowChart(
        'wrong',
        'wrong verdicts by case',
        Object.keys(r.mix).map((c) => ({ label: c, value: r.wrongVerdicts[c] ?? 0, color: RED })),
      ),
    ),
  ]
  const summary: [string, string][] = [
    ['target', r.target],
    ['kind / method', `${r.kind} / ${r.method}`],
    ['started', r.startedAt],
    [
      'duration',
      `${r.durationS} s, ${r.connections} connections${r.pipelining > 1 ? `, pipelining ${r.pipelining}` : ''}${r.rate ? `, ${r.rate} req/s asked` : ', closed loop'}${r.batch > 1 ? `, batches of ${r.batch}` : ''}`,
    ],
    ['requests', `${n(r.requests.answered)} answered of ${n(r.requests.sent)} sent (${n(r.requests.checks)} calls)`],
    ['throughput', `${n(r.throughputPerS)} req/s${r.batch > 1 ? `, ${n(r.checksPerS)} calls/s` : ''}`],
    [
      'latency',
      `p50 ${fmtMs(r.latencyMs.p50)}, p90 ${fmtMs(r.latencyMs.p90)}, p99 ${fmtMs(r.latencyMs.p99)}, max ${fmtMs(r.latencyMs.max)}`,
    ],
    [
      'wrong verdicts',
      wrong === 0
        ? 'none'
        : `${n(wrong)} (${Object.entries(r.wrongVerdicts)
            .map(([c, v]) => `${c} ${v}`)
            .join(', ')})`,
    ],
    ['errors', `transport ${r.transportErrors}, timeouts ${r.timeouts}, garbage ${r.garbage}`],
    [
      'mix',
      Object.entries(r.mix)
        .map(([c, w]) => `${c} ${Math.round(w * 1000) / 10}%`)
        .join(', '),
    ],
    ...r.expectations.map((e): [string, string] => [`expect ${e.expect}`, `${e.ok ? 'ok' : 'FAILED'} (${e.actual})`]),
  ]
  const about: [string, string][] = [
    ['command line', r.commandLine],
    [
      'machine',
      `${r.machine.hostname}, ${r.machine.platform}, ${r.machine.cpus} × ${r.machine.cpu}, ${r.machine.memoryGiB} GiB, load ${r.machine.loadAvg.join(' ')}`,
    ],
    [
      'versions',
      `superguard ${r.versions.superguard}, Node.js ${r.versions.node}, autocannon ${r.versions.autocannon}`,
    ],
  ]
  const examples =
    r.wrongExamples.length === 0
      ? ''
      : `<h2>Wrong verdicts, first ${r.wrongExamples.length}</h2><table><tr><th>case</th><th>expected</th><th>got</th><th>answer</th></tr>${r.wrongExamples
          .map(
            (e) =>
              `<tr><td>${esc(e.case)}</td><td>${esc(e.expected)}</td><td>${esc(e.got)}</td><td><code>${esc(e.answer)}</code></td></tr>`,
          )
          .join('')}</table>`
  const extra =
    Object.keys(r.extra).length === 0
      ? ''
      : `<h2>${esc(r.kind)} details</h2><pre>${esc(JSON.stringify(r.extra, null, 2))}</pre>`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>superguard loadtest ${esc(r.kind)}: ${esc(r.target)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1360px;padding:0 16px;color:#111827}
h1{font-size:20px;margin:0 0 12px}h2{font-size:16px;margin:24px 0 6px}p{margin:0 0 6px;color:#4b5563}
table{border-collapse:collapse;margin:6px 0}td,th{padding:3px 10px 3px 0;text-align:left;vertical-align:top}th{color:#4b5563;font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:8px 32px}
svg{width:100%;height:auto;background:#fafafa;border:1px solid #e5e7eb;border-radius:4px}
.grid{stroke:#e5e7eb}.tick{font-size:11px;fill:#4b5563}.axis{font-size:11px;fill:#6b7280}
code,pre{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all;white-space:pre-wrap}
.ok{color:${GREEN}}.bad{color:${RED}}
</style></head><body>
<h1>superguard loadtest ${esc(r.kind)} <span class="${wrong === 0 && r.expectations.every((e) => e.ok) ? 'ok' : 'bad'}">${wrong === 0 ? 'no wrong verdicts' : `${n(wrong)} wrong verdicts`}</span></h1>
${table(summary)}
<div class="charts">${charts.join('\n')}</div>
${examples}${extra}
<h2>Run</h2>
${table(about)}
</body></html>
`
}

function section(title: string, note: string, chart: string): string {
  return `<section><h2>${esc(title)}</h2><p>${note}</p>${chart}</section>`
}

function table(rows: [string, string][]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${k === 'command line' ? `<code>${esc(v)}</code>` : esc(v)}</td></tr>`).join('')}</table>`
}

const n = (v: number) => Math.round(v).toLocaleString('en-US')
const fmtMs = (v: number) => (v < 1 ? `${v.toFixed(2)}ms` : v < 100 ? `${v.toFixed(1)}ms` : `${Math.round(v)}ms`)
