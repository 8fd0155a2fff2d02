import type { Hex, PayloadAttributesV3 } from '../engine/types.js'
import type { EngineVersion, GetPayloadVersion, ParentRef, Submission } from '../pbs/types.js'

/** rollup-boost's execution modes, in its JSON spelling. */
export type ExecutionMode = 'enabled' | 'dry_run' | 'disabled'
export const EXECUTION_MODES: readonly ExecutionMode[] = ['enabled', 'dry_run', 'disabled']

/**
 * One block-building job, identified by superguard's own `jobId` (never the engine's payload id:
 * engines disagree on payload ids). The wire fields are what `builder_startBuilding` carries.
 */
export type Job = {
  readonly jobId: Hex
  readonly parent: ParentRef
  readonly attributes: PayloadAttributesV3
  /** Unix ms: submissions must arrive by then. */
  readonly deadline: number
  /** Unix ms: when the block is expected to be sealed (deadline + validation budget). */
  readonly sealAt: number
  readonly engineVersion: EngineVersion
  /** engine_getPayloadV<n> that seals this block: engineVersion, or 5 after Karst. */
  readonly getPayloadVersion: GetPayloadVersion
  /** The engine's payload id for the local block (proxy: op-node's; standalone: ours). */
  readonly payloadId: Hex | null
  /** Parsed once so cheap checks compare bigints and lower-case hex, not re-parse per submission. */
  readonly expect: JobExpectations
  /** Unix ms when the job was created. */
  readonly createdAt: number
}

export type JobExpectations = {
  parentHash: string
  number: bigint
  timestamp: bigint
  prevRandao: string
  feeRecipient: string
  gasLimit: bigint | undefined
  parentBeaconBlockRoot: string
  /** Forced transactions (lower-case), the exact prefix every block must start with. */
  forced: readonly string[]
  /** Expected extraData (lower-case) when the attributes pin it exactly; a predicate otherwise. */
  extraData: ExtraDataRule
  withdrawalsJson: string
}

export type ExtraDataRule =
  | { kind: 'exact'; value: string }
  /** eip1559Params all zero: version 0 and 9 bytes, with the chain's default (non-zero) parameters. */
  | { kind: 'holocene-default' }
  /** Jovian with zero eip1559Params: version 1, 17 bytes, given minBaseFee. */
  | { kind: 'jovian-default'; minBaseFee: string }
  /** Pre-Holocene: anything up to 32 bytes. */
  | { kind: 'any' }

/** A submission that passed the cheap checks, waiting for or in engine validation. */
export type Candidate = {
  readonly builder: string
  readonly submission: Submission
  readonly blockHash: Hex
  readonly blockValue: bigint
  readonly gasUsed: bigint
  readonly engineVersion: EngineVersion
  /** Arrival order over the whole process, for tie-breaks. */
  readonly seq: number
  /** Unix ms. */
  readonly receivedAt: number
}

export type BlockSource = 'builder' | 'local'
