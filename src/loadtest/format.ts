import type { LoadtestResult } from './result.js'
import type { Tally } from './tally.js'

const n0 = (n: number) => Math.round(n).toLocaleString('en-US')
const ms = (n: number) => `${n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n)}ms`

/** The live line (a terminal) and the periodic log line: answers/s of the last second, p99, errors, wrong verdicts so far. */
export function progressLine(t: Tally, elapsedS: number): string {
  const last = t.lastSecond()
  return `[loadtest] ${elapsedS.toFixed(0)}s  ${n0(last.requests)} req/s  p99 ${ms(last.p99)}  answered ${n0(t.answered)}  errors ${n0(t.transportErrors + t.timeouts + t.garbage)}  wrong ${n0(t.wrongTotal)}`
}

/** The summary printed on stdout after a run. */
export function formatSummary(r: LoadtestResult): string {
  const out: string[] = []
  const wrong = Object.values(r.wrongVerdicts).reduce((a, b) => a + b, 0)
  out.push(
    `${r.kind} ${r.method} at ${r.target}: ${r.durationS}s, ${r.connections} connections${r.rate ? `, ${r.rate} req/s asked` : ''}${r.batch > 1 ? `, batches of ${r.batch}` : ''}`,
  )
  out.push(
    `  requests   ${n0(r.requests.answered)} answered of ${n0(r.requests.sent)} sent: ${n0(r.throughputPerS)}/s${r.batch > 1 ? ` (${n0(r.checksPerS)} checks/s)` : ''}`,
  )
  out.push(
    `  latency    p50 ${ms(r.latencyMs.p50)}  p90 ${ms(r.latencyMs.p90)}  p99 ${ms(r.latencyMs.p99)}  max ${ms(r.latencyMs.max)}`,
  )
  out.push(`  codes      ${entries(r.codes)}`)
  out.push(`  http       ${entries(r.http)}`)
  out.push(
    `  wrong      ${
      wrong === 0
        ? 'none'
        : Object.entries(r.wrongByCode)
            .map(([c, by]) => `${c} ${r.wrongVerdicts[c]} of ${r.cases[c] ?? 0} (${entries(by)})`)
            .join('; ')
    }`,
  )
  out.push(`  errors     transport ${r.transportErrors}, timeouts ${r.timeouts}, garbage ${r.garbage}`)
  for (const e of r.expectations) out.push(`  expect     ${e.expect}: ${e.ok ? 'ok' : 'FAILED'} (${round(e.actual)})`)
  return `${out.join('\n')}\n`
}

function entries(counts: Record<string, number>): string {
  const list = Object.entries(counts).sort((a, b) => b[1] - a[1])
  return list.length === 0 ? 'none' : list.map(([k, v]) => `${k} ×${n0(v)}`).join(', ')
}

const round = (n: number) => Math.round(n * 100) / 100
