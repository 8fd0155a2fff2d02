// No imports: the CLI reads these before it loads the server (--help stays fast).

/** Time and connection limits of one HTTP listener (every role's, and the sweep's metrics server). */
export type ListenerLimits = {
  /**
   * A request (headers and body) must have arrived this long after it started, and a response
   * the client stops reading is dropped after this long without progress. Never limits how long
   * a handler takes (the engine proxy's getPayload/newPayload wait on the engine, not on this).
   */
  requestTimeoutMs: number
  /** The request line and headers must have arrived this long after the request started (capped at requestTimeoutMs). */
  headersTimeoutMs: number
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number
  /** Connections open at once; more are accepted and closed at once (counted). */
  maxConnections: number
}

/**
 * 10 s for a request: the largest body any role takes (64 MiB newPayload) crosses a 100 Mbit/s
 * link in ~5 s, a 128 KiB check in milliseconds; a client still sending after 10 s is broken or
 * hostile. Headers (≤ 16 KiB, one or two packets) get 5 s. Keep-alive 95 s, above
 * Go's http.Transport idle pool (90 s): op-node, proxyd and op-reth's peers reuse idle connections
 * that long, and a POST written to a socket the server closed at the same moment fails with EOF
 * (Go does not retry it). Idle sockets stay bounded by the connection cap. 8,192 connections: far above any honest
 * deployment's fan-in, and two listeners' worth stays under a 20,000-descriptor limit.
 */
export const DEFAULT_LISTENER_LIMITS: ListenerLimits = Object.freeze({
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  keepAliveTimeoutMs: 95_000,
  maxConnections: 8_192,
})

/**
 * ListenerLimits from a role's config (the listenerLimitOptions of src/config/common.ts, durations
 * in ms); options a hand-built config leaves out keep their defaults.
 */
export function listenerLimits(c: {
  requestTimeout?: number
  headersTimeout?: number
  keepAliveTimeout?: number
  maxConnections?: number
}): Partial<ListenerLimits> {
  const out: Partial<ListenerLimits> = {}
  if (c.requestTimeout !== undefined) out.requestTimeoutMs = c.requestTimeout
  if (c.headersTimeout !== undefined) out.headersTimeoutMs = c.headersTimeout
  if (c.keepAliveTimeout !== undefined) out.keepAliveTimeoutMs = c.keepAliveTimeout
  if (c.maxConnections !== undefined) out.maxConnections = c.maxConnections
  return out
}
