/**
 * The admission rules an operator may choose, each defaulting to op-interop-filter's behaviour
 * (filter/lockstep_cross_validator.go, filter/backend.go).
 */
export type CheckRules = {
  /** Accept init == exec under the consensus rule (the filter refuses it: "init strictly before inclusion"). */
  allowSameTimestamp?: boolean
  /**
   * Per source chain, the timestamp of its interop (Lagoon) activation block: an initiating
   * message at or before it is refused with -320600 (the filter's IsValidInitiatingTimestamp).
   */
  activation?: ReadonlyMap<bigint, bigint>
  /** Accept a descriptor without chainID and skip the executing-chain check (the filter's legacy format). */
  allowMissingChainId?: boolean
}

export const DEFAULT_RULES: CheckRules = Object.freeze({})
