import { readFileSync } from 'node:fs'
import { LoadtestError } from './errors.js'
import type { LoadtestResult } from './result.js'

export type CompareRow = { metric: string; a: number; b: number; ratio: number | null }

const sum = (o: Record<string, number>) => Object.values(o).reduce((x, y) => x + y, 0)

/** B against A, metric by metric: ratio = B / A (null when A is 0). */
export function compareResults(a: LoadtestResult, b: LoadtestResult): CompareRow[] {
  const pick = (r: LoadtestResult): [string, number][] => [
    ['throughputPerS', r.throughputPerS],
    ['checksPerS', r.checksPerS],
    ['latencyMs.p50', r.latencyMs.p50],
    ['latencyMs.p90', r.latencyMs.p90],
    ['latencyMs.p99', r.latencyMs.p99],
    ['latencyMs.max', r.latencyMs.max],
    ['requests.answered', r.requests.answered],
    ['wrongVerdicts', sum(r.wrongVerdicts)],
    ['transportErrors', r.transportErrors],
    ['timeouts', r.timeouts],
    ['garbage', r.garbage],
  ]
  const bs = new Map(pick(b))
  return pick(a).map(([metric, av]) => {
    const bv = bs.get(metric)!
    return { metric, a: av, b: bv, ratio: av === 0 ? null : Math.round((bv / av) * 1000) / 1000 }
  })
}

/** A result file written by --json; LoadtestError (exit 2) when it is not one. */
export function readResult(path: string): LoadtestResult {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new LoadtestError(`${path}: ${(err as Error).message}`)
  }
  const r = parsed as Partial<LoadtestResult>
  if (r?.schema !== 1 || typeof r.throughputPerS !== 'number' || typeof r.latencyMs !== 'object')
    throw new LoadtestError(`${path}: not a superguard loadtest result (schema 1)`)
  return r as LoadtestResult
}

export function formatCompare(aName: string, bName: string, a: LoadtestResult, b: LoadtestResult): string {
  const rows = compareResults(a, b)
  const w = Math.max(...rows.map((r) => r.metric.length))
  const num = (n: number) => (Math.round(n * 1000) / 1000).toLocaleString('en-US')
  const lines = [
    `A: ${aName} (${a.kind} ${a.target}, ${a.startedAt})`,
    `B: ${bName} (${b.kind} ${b.target}, ${b.startedAt})`,
    `${'metric'.padEnd(w)}  ${'A'.padStart(12)}  ${'B'.padStart(12)}  ${'B/A'.padStart(7)}`,
    ...rows.map(
      (r) =>
        `${r.metric.padEnd(w)}  ${num(r.a).padStart(12)}  ${num(r.b).padStart(12)}  ${(r.ratio === null ? '—' : r.ratio.toFixed(3)).padStart(7)}`,
    ),
  ]
  return `${lines.join('\n')}\n`
}
