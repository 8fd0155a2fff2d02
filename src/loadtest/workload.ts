import type { WireRequest } from './protocol.js'

/** What one request should get: per call, its case and the expected answer key (see answerKey). */
export type Expected = { cases: string[]; expect: string[] }

/** One call's answer judged: the key that went into `codes`, and whether it is the expected verdict. */
export type CallOutcome = { case: string; got: string; expected: string; ok: boolean }

/** A judged answer: one outcome per call, or garbage (not JSON-RPC, or calls missing from a batch answer). */
export type Judged = CallOutcome[] | 'garbage'

/** A generation of requests with their expectations (a new generation replaces the old: a builder's new job). */
export type Generation = { requests: WireRequest[]; expected: Expected[] }

/**
 * What a kind gives the runner: the requests to rotate (or to send once each), how to judge an
 * answer, and optional live replacements and extras.
 */
export type Workload = {
  method: string
  /** Case → planned share. */
  mix: Record<string, number>
  batch: number
  first: Generation
  /** Requests sent once before the load to see that the target answers (default: the first of each case). */
  probe?: WireRequest[]
  /** Each request is sent once (signed transactions): connections split them and stop. */
  partition: boolean
  judge(body: string, expected: Expected): Judged
  /**
   * Called when the load starts; may replace the requests (`replace`) while it runs (a builder's
   * next job). Resolves its stop function.
   */
  live?(replace: (g: Generation) => void): () => Promise<void>
  /** Kind-specific figures for the result (`extra`), read after the load. */
  extra?(): Promise<Record<string, unknown>>
}

/**
 * The key of one JSON-RPC answer object: its error code as a string, `"null"` for an answer
 * without error, undefined when it is not a JSON-RPC answer.
 */
export function answerKey(answer: unknown): string | undefined {
  if (answer === null || typeof answer !== 'object') return undefined
  const a = answer as { error?: { code?: unknown }; result?: unknown }
  if (a.error !== undefined) return typeof a.error?.code === 'number' ? String(a.error.code) : undefined
  return 'result' in a ? 'null' : undefined
}

/**
 * Judges a JSON-RPC answer (single, or a batch matched by id 1..n) with `keyOf` for each answer
 * object (default answerKey).
 */
export function judgeJsonRpc(
  body: string,
  expected: Expected,
  keyOf: (answer: unknown) => string | undefined = answerKey,
): Judged {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return 'garbage'
  }
  const n = expected.cases.length
  const out: CallOutcome[] = new Array(n)
  if (Array.isArray(parsed)) {
    // a batch: answers may come in any order (JSON-RPC 2.0), matched by id; ids are 1..n
    if (parsed.length !== n) {
      // an over-budget batch refused whole (-32600) is one answer for every call
      if (parsed.length === 1 && (parsed[0] as { id?: unknown })?.id === null) return fill(expected, keyOf(parsed[0]))
      return 'garbage'
    }
    for (const a of parsed) {
      const id = (a as { id?: unknown })?.id
      if (typeof id !== 'number' || id < 1 || id > n || out[id - 1] !== undefined) return 'garbage'
      const got = keyOf(a)
      if (got === undefined) return 'garbage'
      out[id - 1] = outcome(expected, id - 1, got)
    }
    return out
  }
  // a single answer to a batch request: the whole batch refused (HTTP 413 over --max-batch, …)
  return fill(expected, keyOf(parsed))
}

function fill(expected: Expected, got: string | undefined): Judged {
  if (got === undefined) return 'garbage'
  return expected.cases.map((_, i) => outcome(expected, i, got))
}

function outcome(expected: Expected, i: number, got: string): CallOutcome {
  const want = expected.expect[i]!
  return { case: expected.cases[i]!, got, expected: want, ok: got === want }
}
