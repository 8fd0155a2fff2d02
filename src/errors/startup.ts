/**
 * Why a role cannot start, when the operator must fix it outside the code: the configuration (a
 * chain given twice) or the environment (an endpoint that is down or serves another chain, a port
 * in use, a file it may not write).
 */
export type StartupCause =
  | 'chain-configured-twice'
  | 'chain-id-mismatch'
  | 'endpoint-unreachable'
  | 'address-in-use'
  | 'address-unavailable'
  | 'permission-denied'
  | 'file'

/**
 * A start-up refusal: one line naming the cause and the thing (a URL, a port, a chain id, a path).
 * The CLI prints `superguard <role>: <message>` and exits 2, with the stack only at --log-level
 * debug. Library callers catch it by class and read `cause`/`subject`.
 */
export class StartupRefusal extends Error {
  override name = 'StartupRefusal'
  /** Stable, for callers that branch on it. */
  readonly reason: StartupCause
  /** The thing at fault, as the operator wrote it: a URL, `host:port`, a chain id, a path. */
  readonly subject: string
  constructor(reason: StartupCause, subject: string, message: string, opts: { cause?: unknown } = {}) {
    super(message, opts)
    this.reason = reason
    this.subject = subject
  }
}

/**
 * The one-line text of a transport failure: viem's `shortMessage` (its `message` carries the
 * request body, the URL again and a docs link over ~10 lines), else the first line of the message,
 * followed by the innermost cause's first line when it says more (viem's "HTTP request failed."
 * wraps undici's "fetch failed", which wraps the socket's "connect ECONNREFUSED 127.0.0.1:8545").
 */
export function shortErrorText(err: unknown): string {
  const text = firstLine(err).replace(/\.$/, '')
  let inner: unknown = (err as { cause?: unknown })?.cause
  let deepest: unknown
  for (let depth = 0; inner && depth < 8; depth++) {
    deepest = inner
    inner = (inner as { cause?: unknown }).cause
  }
  if (deepest === undefined) return text
  const why = firstLine(deepest)
  return why && !text.includes(why) && why !== 'fetch failed' ? `${text}: ${why}` : text
}

function firstLine(err: unknown): string {
  const e = err as { shortMessage?: unknown; message?: unknown }
  const text =
    typeof e?.shortMessage === 'string' ? e.shortMessage : typeof e?.message === 'string' ? e.message : String(err)
  return text.split('\n')[0]!.trim()
}

/** Two `--rpc` endpoints serve the same chain (the id read from each, or pinned with `CHAINID=`). */
export function chainConfiguredTwice(chainId: bigint, urls: readonly string[]): StartupRefusal {
  return new StartupRefusal(
    'chain-configured-twice',
    String(chainId),
    `chain ${chainId} is configured twice (${urls.join(', ')}): give each chain one --rpc`,
  )
}
