import type { ExpectationOutcome } from './expect.js'

/**
 * The result of one load run: what `--json FILE` writes and `runLoadtest` resolves to. Its shape is
 * an interface (README "superguard loadtest", JSON schema): fields are added, never renamed.
 */
export type LoadtestResult = {
  /** Schema version of this object. */
  schema: 1
  target: string
  kind: 'checker' | 'ingress' | 'builder'
  /** JSON-RPC method loaded. */
  method: string
  startedAt: string
  /** Measured seconds (warm-up excluded). */
  durationS: number
  connections: number
  pipelining: number
  /** Requests/s asked for with --rate; null: closed loop. */
  rate: number | null
  /** JSON-RPC calls per request (--batch). */
  batch: number
  /** Case → share of the requests' checks, as planned. */
  mix: Record<string, number>
  requests: {
    /** Written to a socket. */
    sent: number
    /** Answered with a complete HTTP response. */
    answered: number
    /** JSON-RPC calls in the answered requests (= answered without --batch). */
    checks: number
  }
  /** Answered requests per second. */
  throughputPerS: number
  /** Answered calls per second. */
  checksPerS: number
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number }
  /** Latency histogram: requests per bucket, `leMs` its upper bound (log-spaced). */
  histogram: { leMs: number; count: number }[]
  /** Per call: JSON-RPC error code, `"null"` for an answer without error; builder adds `accepted`/`rejected:<reason>`. */
  codes: Record<string, number>
  /** Per request: HTTP status. */
  http: Record<string, number>
  /** Per case: calls made (answered). */
  cases: Record<string, number>
  /** Per case: answers other than the expected verdict. */
  wrongVerdicts: Record<string, number>
  /** Per case, per answer code: what the wrong verdicts were. */
  wrongByCode: Record<string, Record<string, number>>
  /** Up to 20 wrong verdicts in full. */
  wrongExamples: { case: string; expected: string; got: string; answer: string }[]
  /** Connection errors (refused, reset). */
  transportErrors: number
  /** Requests without an answer within --timeout. */
  timeouts: number
  /** Answers that are not JSON-RPC (or a batch answer missing calls). */
  garbage: number
  perSecond: { t: number; requests: number; p99: number; errors: number; wrong: number }[]
  /** --expect conditions and how they went. */
  expectations: ExpectationOutcome[]
  /** Kind-specific extras (builder: the sequencer's seal timing from --debug; ingress: funding). */
  extra: Record<string, unknown>
  commandLine: string
  machine: { hostname: string; platform: string; cpus: number; cpu: string; memoryGiB: number; loadAvg: number[] }
  versions: { superguard: string; node: string; autocannon: string }
}
