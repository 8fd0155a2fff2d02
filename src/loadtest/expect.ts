import type { LoadtestResult } from './result.js'

export type Expectation = { text: string; metric: Metric; op: Op; value: number }
export type ExpectationOutcome = { expect: string; ok: boolean; actual: number }

export type Op = '=' | '<' | '>' | '<=' | '>='
const METRICS = ['wrong', 'rps', 'checks', 'p50', 'p90', 'p99', 'max', 'errors', 'timeouts', 'requests'] as const
type Metric = (typeof METRICS)[number]
const LATENCY: ReadonlySet<Metric> = new Set(['p50', 'p90', 'p99', 'max'])

/** `wrong=0`, `p99<50ms`, `rps>5000`, `p99<=0.2s`. Throws an Error naming the bad one. */
export function parseExpectations(texts: readonly string[]): Expectation[] {
  return texts.map((text) => {
    const m = /^\s*([a-z0-9]+)\s*(<=|>=|=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/.exec(text)
    if (!m) throw new Error(`expected METRIC OP VALUE (e.g. wrong=0, p99<50ms, rps>5000), got ${JSON.stringify(text)}`)
    const metric = m[1] as Metric
    if (!METRICS.includes(metric))
      throw new Error(`unknown metric "${m[1]}" in ${JSON.stringify(text)} (known: ${METRICS.join(', ')})`)
    if (m[4] !== undefined && !LATENCY.has(metric))
      throw new Error(`${metric} takes no unit, got ${JSON.stringify(text)}`)
    const value = Number(m[3]) * (m[4] === 's' ? 1000 : 1)
    return { text: text.trim(), metric, op: m[2] as Op, value }
  })
}

/** The value of a metric in a result (latencies in ms). */
export function metricOf(r: LoadtestResult, metric: Metric): number {
  switch (metric) {
    case 'wrong':
      return Object.values(r.wrongVerdicts).reduce((a, b) => a + b, 0)
    case 'rps':
      return r.throughputPerS
    case 'checks':
      return r.checksPerS
    case 'errors':
      return r.transportErrors + r.garbage
    case 'timeouts':
      return r.timeouts
    case 'requests':
      return r.requests.answered
    default:
      return r.latencyMs[metric]
  }
}

export function evaluate(r: LoadtestResult, expectations: readonly Expectation[]): ExpectationOutcome[] {
  return expectations.map((e) => {
    const actual = metricOf(r, e.metric)
    return { expect: e.text, ok: holds(actual, e.op, e.value), actual }
  })
}

/** `actual OP value` for an expectation's operator (load and chaos expectations alike). */
export function holds(actual: number, op: Op, value: number): boolean {
  switch (op) {
    case '=':
      return actual === value
    case '<':
      return actual < value
    case '>':
      return actual > value
    case '<=':
      return actual <= value
    default:
      return actual >= value
  }
}
