import { MAX_UINT64 } from './constants.js'

/**
 * op-supervisor's ExecutingDescriptor.AccessCheck: the reason an initiating message at `initTs`
 * may not be executed at `execTs` (and still at `execTs + timeout`), or undefined when it may.
 * Access-list checks refuse the same timestamp by default, in op-interop-filter's words (its
 * admission rule "init strictly before inclusion", lockstep_cross_validator.go); `allowSameTimestamp`
 * applies the consensus rule instead (init ≤ exec; the initiating log must then exist, which the
 * caller checks: a log already in a sealed block cannot be part of a cycle).
 */
export function timingViolation(
  execTs: bigint,
  timeout: bigint,
  initTs: bigint,
  expiryWindow: bigint,
  allowSameTimestamp = false,
): string | undefined {
  if (execTs < initTs) return `message broke timestamp invariant: exec: ${execTs}, init: ${initTs}`
  if (execTs === initTs && !allowSameTimestamp)
    return `initiating message timestamp ${initTs} not before inclusion timestamp ${execTs}`
  const expiresAt = initTs + expiryWindow
  if (expiresAt > MAX_UINT64) return 'message timestamp too high, overflows'
  if (execTs > expiresAt) return `cannot message execute at ${execTs}, message expired at ${expiresAt}`
  if (timeout !== 0n && execTs + timeout > expiresAt)
    return `cannot execute message at timeout ${execTs + timeout}, expired at ${expiresAt}`
  return undefined
}
