import { MAX_UINT64 } from './constants.js'

/**
 * op-supervisor's ExecutingDescriptor.AccessCheck: the reason an initiating message at `initTs`
 * may not be executed at `execTs` (and still at `execTs + timeout`), or undefined when it may.
 * Access-list checks never allow the same timestamp (intra-timestamp messages are invalid by default).
 */
export function timingViolation(
  execTs: bigint,
  timeout: bigint,
  initTs: bigint,
  expiryWindow: bigint,
): string | undefined {
  if (execTs < initTs) return `message broke timestamp invariant: exec: ${execTs}, init: ${initTs}`
  if (execTs === initTs) return `access-list check does not allow intra-timestamp (${execTs})`
  const expiresAt = initTs + expiryWindow
  if (expiresAt > MAX_UINT64) return 'message timestamp too high, overflows'
  if (execTs > expiresAt) return `cannot message execute at ${execTs}, message expired at ${expiresAt}`
  if (timeout !== 0n && execTs + timeout > expiresAt)
    return `cannot execute message at timeout ${execTs + timeout}, expired at ${expiresAt}`
  return undefined
}
