/**
 * The OP hardfork the engine-sim runs, fixed for its whole chain (no activation times: a double
 * needs one consistent rule set). It decides the Engine API versions and the header/attribute rules:
 *   ecotone  — V3 payloads, no eip1559Params, no minBaseFee, extraData empty
 *   holocene — V3 payloads, eip1559Params required, extraData = 0x00 ‖ denominator ‖ elasticity
 *   isthmus  — V4 payloads (withdrawalsRoot field, executionRequests [], requestsHash in the header)
 *   jovian   — isthmus + minBaseFee required, extraData = 0x01 ‖ denominator ‖ elasticity ‖ u64 minBaseFee
 *   karst    — jovian's rules (the OP fork that activates Osaka); op-node seals with
 *              engine_getPayloadV5 (the V4 envelope) and inserts with engine_newPayloadV4 (optimism#21337)
 *   lagoon   — karst + interop; a block may end with one SDM PostExec (0x7d) transaction, whose
 *              activation is aligned with Lagoon's (optimism#20213)
 */
export const FORKS = ['ecotone', 'holocene', 'isthmus', 'jovian', 'karst', 'lagoon'] as const
export type Fork = (typeof FORKS)[number]

export function forkAtLeast(fork: Fork, min: Fork): boolean {
  return FORKS.indexOf(fork) >= FORKS.indexOf(min)
}

/** engine_getPayload / engine_newPayload version the fork uses (op-node: V4 from Isthmus, V3 before). */
export function payloadVersion(fork: Fork): 3 | 4 {
  return forkAtLeast(fork, 'isthmus') ? 4 : 3
}

/** engine_getPayload version only: V5 from Karst on (its answer keeps the V4 shape), else payloadVersion. */
export function getPayloadVersion(fork: Fork): 3 | 4 | 5 {
  return forkAtLeast(fork, 'karst') ? 5 : payloadVersion(fork)
}
