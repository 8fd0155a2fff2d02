import { LatencyHistogram, round3 } from './histogram.js'
import type { AnswerBatch } from './protocol.js'
import type { LoadtestResult } from './result.js'
import type { Expected, Judged } from './workload.js'

type Second = { hist: LatencyHistogram; requests: number; errors: number; wrong: number }

const MAX_EXAMPLES = 20

/**
 * Everything counted from the answers the worker ships: judged on this thread, per case, per code,
 * per second. Answers that complete during the warm-up are judged (a wrong answer is wrong) but
 * not counted.
 */
export class Tally {
  readonly hist = new LatencyHistogram()
  sent = 0
  answered = 0
  checks = 0
  transportErrors = 0
  timeouts = 0
  garbage = 0
  readonly codes: Record<string, number> = {}
  readonly http: Record<string, number> = {}
  readonly cases: Record<string, number> = {}
  readonly wrongVerdicts: Record<string, number> = {}
  readonly wrongByCode: Record<string, Record<string, number>> = {}
  readonly wrongExamples: LoadtestResult['wrongExamples'] = []
  readonly #seconds: Second[] = []
  wrongTotal = 0
  /** The last connection error's text (for an unreachable target). */
  lastError: string | undefined
  /** Milliseconds since the load started, at the last batch. */
  nowMs = 0

  readonly warmupMs: number
  readonly judge: (body: string, expected: Expected) => Judged

  constructor(warmupMs: number, judge: (body: string, expected: Expected) => Judged) {
    this.warmupMs = warmupMs
    this.judge = judge
  }

  add(batch: AnswerBatch, expectedOf: (generation: number, index: number) => Expected | undefined): void {
    this.nowMs = batch.nowMs
    const counted = batch.nowMs >= this.warmupMs
    if (counted) {
      this.sent += batch.sent
      this.transportErrors += batch.errors
      this.timeouts += batch.timeouts
      if (batch.errors + batch.timeouts > 0) this.#second(batch.nowMs).errors += batch.errors + batch.timeouts
    }
    if (batch.errorText) this.lastError = batch.errorText
    for (let i = 0; i < batch.index.length; i++) {
      const at = batch.atMs[i]!
      if (at < this.warmupMs) continue
      const ms = batch.latencyMs[i]!
      const second = this.#second(at)
      second.hist.record(ms)
      second.requests++
      this.hist.record(ms)
      this.answered++
      bump(this.http, String(batch.status[i]))
      const expected = expectedOf(batch.generation[i]!, batch.index[i]!)
      const judged = expected === undefined ? 'garbage' : this.judge(batch.bodies[i]!, expected)
      if (judged === 'garbage') {
        this.garbage++
        second.errors++
        bump(this.codes, 'garbage')
        continue
      }
      for (const o of judged) {
        this.checks++
        bump(this.codes, o.got)
        bump(this.cases, o.case)
        if (o.ok) continue
        this.wrongTotal++
        second.wrong++
        bump(this.wrongVerdicts, o.case)
        bump((this.wrongByCode[o.case] ??= {}), o.got)
        if (this.wrongExamples.length < MAX_EXAMPLES)
          this.wrongExamples.push({
            case: o.case,
            expected: o.expected,
            got: o.got,
            answer: batch.bodies[i]!.slice(0, 300),
          })
      }
    }
  }

  #second(atMs: number): Second {
    const t = Math.floor((atMs - this.warmupMs) / 1000)
    for (let i = this.#seconds.length; i <= t; i++)
      this.#seconds.push({ hist: new LatencyHistogram(), requests: 0, errors: 0, wrong: 0 })
    return this.#seconds[t]!
  }

  /** The last full second's answers/s and p99 (the live line). */
  lastSecond(): { requests: number; p99: number } {
    const t = Math.floor((this.nowMs - this.warmupMs) / 1000) - 1
    const s = t >= 0 ? this.#seconds[t] : undefined
    return { requests: s?.requests ?? 0, p99: s ? round3(s.hist.quantile(0.99)) : 0 }
  }

  perSecond(durationS: number): LoadtestResult['perSecond'] {
    // a trailing partial second (answers still arriving as the load stopped) is not a second of load
    return this.#seconds.slice(0, Math.max(1, Math.ceil(durationS - 0.05))).map((s, t) => ({
      t,
      requests: s.requests,
      p99: round3(s.hist.quantile(0.99)),
      errors: s.errors,
      wrong: s.wrong,
    }))
  }
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1
}
