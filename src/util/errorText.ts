/**
 * The one-line text of an error: viem's `shortMessage` (its `message` carries the request body,
 * the URL again and a docs link over ~10 lines, ~2 KB), else the first line of the message,
 * followed by the innermost cause's first line when it says more (viem's "HTTP request failed."
 * wraps undici's "fetch failed", which wraps the socket's "connect ECONNREFUSED 127.0.0.1:8545").
 */
export function shortErrorText(err: unknown): string {
  // A reason already reduced to text (a caller's own words): kept whole, on one line.
  if (typeof err === 'string') return bounded(err.replace(/\s*\n\s*/g, '; '))
  let text = firstLine(err).replace(/\.$/, '')
  // viem keeps the node's own words (a JSON-RPC error's message) in `details`, under a generic short message.
  // (For a transport error `details` repeats its cause's message: the cause chain below says it better.)
  const details = (err as { details?: unknown })?.details
  const cause = (err as { cause?: unknown })?.cause
  if (
    typeof details === 'string' &&
    details !== '' &&
    !text.includes(details.split('\n')[0]!) &&
    (cause === undefined || firstLine(cause) !== details.split('\n')[0]!.trim())
  )
    text = `${text}: ${details.split('\n')[0]!.trim()}`
  let inner: unknown = (err as { cause?: unknown })?.cause
  let deepest: unknown
  for (let depth = 0; inner && depth < 8; depth++) {
    deepest = inner
    inner = (inner as { cause?: unknown }).cause
  }
  if (deepest === undefined) return bounded(text)
  const why = firstLine(deepest)
  return bounded(why && !text.includes(why) && why !== 'fetch failed' ? `${text}: ${why}` : text)
}

/** A log line stays a line: 500 characters at most (a node's error text can be a page). */
function bounded(text: string): string {
  return text.length <= 500 ? text : `${text.slice(0, 499)}…`
}

function firstLine(err: unknown): string {
  const e = err as { shortMessage?: unknown; message?: unknown }
  const text =
    typeof e?.shortMessage === 'string' ? e.shortMessage : typeof e?.message === 'string' ? e.message : String(err)
  return text.split('\n')[0]!.trim()
}

/** The log fields of a failure, one line's worth: no request body, no stack (see errorFields' `stack`). */
export type ErrorFields = {
  /** The error's class (`HttpRequestError`, `TimeoutError`, `TransportError`, `SqliteError`…). */
  errClass: string
  /** shortErrorText: one line. */
  err: string
  /** The endpoint, when the error names one (viem's errors carry `url`). */
  url?: string
  /** The JSON-RPC method(s) of the failed request (from viem's `body`; the body itself is dropped). */
  method?: string
  stack?: string
}

/**
 * What a log line says about a failure: class, one-line message, URL and method; the stack only
 * when `withStack` (the logger is at debug).
 */
export function errorFields(err: unknown, withStack = false): ErrorFields {
  const e = err as { name?: unknown; url?: unknown; body?: unknown; stack?: unknown }
  const out: ErrorFields = {
    errClass: typeof e?.name === 'string' ? e.name : typeof err,
    err: shortErrorText(err),
  }
  if (typeof e?.url === 'string') out.url = e.url
  const methods = (Array.isArray(e?.body) ? e.body : e?.body ? [e.body] : [])
    .map((b) => (b as { method?: unknown })?.method)
    .filter((m): m is string => typeof m === 'string')
  if (methods.length > 0) out.method = [...new Set(methods)].join(',')
  if (withStack && typeof e?.stack === 'string') out.stack = e.stack
  return out
}
