import type { ServiceError } from '../../errors/index.js'
import type { Hex } from '../../interop/index.js'
import type { SupervisorRejectionError } from '../errors.js'

export const STRATEGIES = ['agreement', 'first', 'any', 'failover'] as const
export type StrategyName = (typeof STRATEGIES)[number]

/** The third parameter of interop_checkAccessList, in op-supervisor's Go wire form. */
export type ExecutingDescriptor = {
  /** Decimal string, as eth.ChainID marshals. */
  chainID: string
  timestamp: Hex
  timeout: Hex
}

/**
 * One supervisor's answer, classified as proxyd's agreement strategy does:
 * - valid / invalid: a definitive verdict (invalid = any JSON-RPC rejection not listed below);
 * - failsafe (-320602): a hard rejection whatever the others say;
 * - soft (FutureData -321401, Uninitialized -320400): the supervisor is behind, not a verdict;
 * - unavailable: transport error, timeout, HTTP >= 500, internal error (-32603, -32000);
 * - aborted: the strategy no longer needed the answer.
 */
export type CheckOutcome =
  | { kind: 'valid' }
  | { kind: 'invalid'; error: SupervisorRejectionError }
  | { kind: 'failsafe'; error: SupervisorRejectionError }
  | { kind: 'soft'; error: SupervisorRejectionError }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'aborted' }

/** What a strategy decided; `result` is the label of superguard_ingress_validations_total. */
export type Verdict = { ok: true } | { ok: false; result: 'failsafe' | 'filtered' | 'errored'; error: ServiceError }

/** A way to turn one or more supervisors' answers into one verdict. */
export interface ValidationStrategy {
  readonly name: StrategyName
  validate(entries: readonly Hex[], descriptor: ExecutingDescriptor): Promise<Verdict>
}

/** Abort reason when a strategy has its verdict (a plain value: the default DOMException captures a stack). */
export const DECIDED = Symbol('verdict reached')

/** The verdict for a rejecting outcome: the supervisor's own error, labelled as proxyd labels it. */
export function rejection(outcome: Extract<CheckOutcome, { error: unknown }>): Verdict {
  const result = outcome.kind === 'failsafe' ? 'failsafe' : outcome.kind === 'invalid' ? 'filtered' : 'errored'
  return { ok: false, result, error: outcome.error }
}
