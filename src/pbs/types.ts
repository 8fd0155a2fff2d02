import type { ExecutionPayloadV3, Hex, PayloadAttributesV3, Quantity } from '../engine/types.js'

/** Which engine_getPayloadV<n> / engine_newPayloadV<n> shape a job's block has: 3 = Ecotone…Holocene, 4 = Isthmus+. */
export type EngineVersion = 3 | 4

/**
 * The engine_getPayloadV<n> a job's block is sealed with: the payload shape's version, except
 * after Karst, when op-node seals with engine_getPayloadV5 (its answer is the V4 envelope) and
 * still inserts with engine_newPayloadV4 (optimism#21337).
 */
export type GetPayloadVersion = 3 | 4 | 5

export type ParentRef = { hash: Hex; number: Quantity; timestamp: Quantity }

/** The `builder_startBuilding` params object. */
export type StartBuildingParams = {
  jobId: Hex
  parent: ParentRef
  attributes: PayloadAttributesV3
  deadline: number
  engineVersion: EngineVersion
  /** engine_getPayloadV<n> for this block (5 after Karst); absent = engineVersion. */
  getPayloadVersion?: GetPayloadVersion
}

/** A submission after its shape was checked: what `pbs_submitBlock` carries, typed. */
export type Submission = {
  jobId: Hex
  executionPayload: ExecutionPayloadV3
  parentBeaconBlockRoot: Hex
  blockValue: Quantity
  executionRequests?: Hex[]
  /**
   * Optional, per builder and job, strictly increasing (op-rbuilder orders its resubmissions so,
   * as its backrun bundles: "a strictly higher nonce always wins"): a newer one replaces the
   * builder's earlier submissions; an equal or lower one is refused `stale_sequence`.
   */
  sequence?: bigint
}

export type SubmitResult = { status: 'accepted' } | { status: 'rejected'; reason: string }
