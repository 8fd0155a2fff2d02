/**
 * OP Engine API JSON types exactly as they travel on the wire (hex strings, camelCase names).
 * Sources: ethereum/execution-apis src/engine/{paris,shanghai,cancun,prague}.md and
 * ethereum-optimism/specs specs/protocol/exec-engine.md (+ holocene/, isthmus/, jovian/ exec-engine.md).
 */
import type { ExecutionCode } from '../errors/codes.js'
export type Hex = `0x${string}`
/** JSON-RPC QUANTITY: "0x0", "0x1a" (no leading zeros). */
export type Quantity = Hex

/** WithdrawalV1 (shanghai.md). OP blocks always carry an empty list. */
export type WithdrawalV1 = {
  index: Quantity
  validatorIndex: Quantity
  address: Hex
  /** In Gwei. */
  amount: Quantity
}

/** ExecutionPayloadV3 (cancun.md): V1 fields + withdrawals (V2) + blobGasUsed/excessBlobGas (V3). */
export type ExecutionPayloadV3 = {
  parentHash: Hex
  feeRecipient: Hex
  stateRoot: Hex
  receiptsRoot: Hex
  logsBloom: Hex
  prevRandao: Hex
  blockNumber: Quantity
  gasLimit: Quantity
  gasUsed: Quantity
  timestamp: Quantity
  extraData: Hex
  baseFeePerGas: Quantity
  blockHash: Hex
  transactions: Hex[]
  withdrawals: WithdrawalV1[]
  blobGasUsed: Quantity
  excessBlobGas: Quantity
  /**
   * OP Isthmus only (isthmus/exec-engine.md "Update to ExecutionPayload"): the L2ToL1MessagePasser
   * storage root, which becomes the header's withdrawalsRoot. Omitted before Isthmus.
   */
  withdrawalsRoot?: Hex
}

/** The Isthmus payload: ExecutionPayloadV3 with `withdrawalsRoot` present. */
export type OpExecutionPayloadV4 = ExecutionPayloadV3 & { withdrawalsRoot: Hex }

/**
 * OP-extended PayloadAttributesV3 (exec-engine.md; eip1559Params from Holocene, minBaseFee from Jovian).
 * `transactions` are forced: the payload MUST start with exactly this list.
 */
export type PayloadAttributesV3 = {
  timestamp: Quantity
  prevRandao: Hex
  suggestedFeeRecipient: Hex
  withdrawals: WithdrawalV1[]
  parentBeaconBlockRoot: Hex
  transactions?: Hex[] | null
  noTxPool?: boolean | null
  /** Required for a rollup (the engine answers INVALID without it). */
  gasLimit?: Quantity | null
  /** 8 bytes: denominator u32 ‖ elasticity u32. Non-null from Holocene, null before. */
  eip1559Params?: Hex | null
  /** Non-null from Jovian, null before. */
  minBaseFee?: Quantity | null
}

/** ForkchoiceStateV1 (paris.md): head = "unsafe", safe = derived from L1, finalized. */
export type ForkchoiceStateV1 = {
  headBlockHash: Hex
  safeBlockHash: Hex
  finalizedBlockHash: Hex
}

export type PayloadStatus = 'VALID' | 'INVALID' | 'SYNCING' | 'ACCEPTED' | 'INVALID_BLOCK_HASH'

/** PayloadStatusV1 (paris.md). */
export type PayloadStatusV1 = {
  status: PayloadStatus
  latestValidHash: Hex | null
  validationError: string | null
}

/** engine_forkchoiceUpdatedV3 result: payloadId is 8 bytes of hex, or null without attributes. */
export type ForkchoiceUpdatedResult = {
  payloadStatus: PayloadStatusV1
  payloadId: Hex | null
}

/** BlobsBundleV1 (cancun.md); always empty on OP (no blob transactions). */
export type BlobsBundleV1 = {
  commitments: Hex[]
  proofs: Hex[]
  blobs: Hex[]
}

/** engine_getPayloadV3 result, OP-extended with parentBeaconBlockRoot (exec-engine.md "Extended Response"). */
export type GetPayloadV3Result = {
  executionPayload: ExecutionPayloadV3
  blockValue: Quantity
  blobsBundle: BlobsBundleV1
  shouldOverrideBuilder: boolean
  parentBeaconBlockRoot: Hex
}

/** engine_getPayloadV4 result (prague.md + OP): the V3 envelope plus executionRequests (always [] on OP). */
export type GetPayloadV4Result = {
  executionPayload: OpExecutionPayloadV4
  blockValue: Quantity
  blobsBundle: BlobsBundleV1
  shouldOverrideBuilder: boolean
  parentBeaconBlockRoot: Hex
  executionRequests: Hex[]
}

/** engine_newPayloadV3 params: [payload, expectedBlobVersionedHashes (MUST be [] on OP), parentBeaconBlockRoot]. */
export type NewPayloadV3Params = [ExecutionPayloadV3, Hex[], Hex]
/** engine_newPayloadV4 params: V3 params + executionRequests (MUST be [] on OP). */
export type NewPayloadV4Params = [OpExecutionPayloadV4, Hex[], Hex, Hex[]]

/** Engine API error codes (paris.md, cancun.md): the -38xxx entries of ExecutionCode (src/errors/codes.ts). */
export type EngineErrorCode = Exclude<ExecutionCode, typeof ExecutionCode.ServerError>
