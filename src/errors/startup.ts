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

/** Two `--rpc` endpoints serve the same chain (the id read from each, or pinned with `CHAINID=`). */
export function chainConfiguredTwice(chainId: bigint, urls: readonly string[]): StartupRefusal {
  return new StartupRefusal(
    'chain-configured-twice',
    String(chainId),
    `chain ${chainId} is configured twice (${urls.join(', ')}): give each chain one --rpc`,
  )
}
