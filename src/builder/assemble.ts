import { DEPOSIT_TX_TYPE, type DecodedTx, decodeTx } from '../engine/decodeTx.js'
import { applyError, txGasUsed } from '../engine/execution.js'
import { nextBaseFee } from '../engine/feeParams.js'
import type { Fork } from '../engine/fork.js'
import { sealPayload } from '../engine/sealPayload.js'
import type { ExecutionPayloadV3, Hex, PayloadAttributesV3 } from '../engine/types.js'
import { toQuantity } from '../util/hex.js'

/**
 * Block assembly for the reference builder, without an engine round trip: the payload is built
 * here with the src/engine codec (transactions root, block hash) and the engine-sim's documented
 * execution rules (src/engine/execution.ts: gas, receipts root, state root, block value), so a
 * block built against the parent header of an engine-sim chain is VALID on every engine-sim that
 * follows that chain. (A real EVM chain would need real execution here: see the README.)
 */

/** What assembly needs of the parent block (eth_getBlockByHash fields). */
export type ParentHeader = {
  hash: Hex
  number: Hex
  stateRoot: Hex
  gasLimit: Hex
  gasUsed: Hex
  baseFeePerGas: Hex
  extraData: Hex
  timestamp: Hex
}

export type JobSpec = { jobId: Hex; attributes: PayloadAttributesV3; engineVersion: 3 | 4 }

export type AssembledBlock = {
  jobId: Hex
  executionPayload: ExecutionPayloadV3
  parentBeaconBlockRoot: Hex
  blockValue: Hex
  executionRequests?: Hex[]
  /** Transactions after the forced ones, as included. */
  included: DecodedTx[]
  value: bigint
}

/** The fork rules a job implies: V4 is Isthmus+, minBaseFee Jovian, eip1559Params Holocene. */
export function forkOf(job: JobSpec): Fork {
  const a = job.attributes
  if (job.engineVersion === 4) return a.minBaseFee !== undefined && a.minBaseFee !== null ? 'jovian' : 'isthmus'
  return a.eip1559Params !== undefined && a.eip1559Params !== null ? 'holocene' : 'ecotone'
}

/** The base fee the child of `parent` must carry under the job's fork. */
export function childBaseFee(job: JobSpec, parent: ParentHeader): bigint {
  return nextBaseFee(forkOf(job), {
    gasLimit: BigInt(parent.gasLimit),
    gasUsed: BigInt(parent.gasUsed),
    baseFee: BigInt(parent.baseFeePerGas),
    extraData: parent.extraData,
  })
}

/**
 * The block for `job` on `parent`: the forced transactions, then `candidates` in the given order,
 * each skipped when it does not fit (gas left, fee cap under the base fee, deposit after a user tx).
 */
export function assembleBlock(job: JobSpec, parent: ParentHeader, candidates: readonly DecodedTx[]): AssembledBlock {
  const a = job.attributes
  const fork = forkOf(job)
  const baseFee = childBaseFee(job, parent)
  const gasLimit = BigInt(a.gasLimit ?? parent.gasLimit)
  const forced = (a.transactions ?? []).map((raw) => decodeTx(raw))
  let used = 0n
  for (const tx of forced) used += txGasUsed(tx)
  const included: DecodedTx[] = []
  for (const tx of candidates) {
    if (tx.type === DEPOSIT_TX_TYPE) continue
    if (applyError(tx, gasLimit - used, baseFee)) continue
    included.push(tx)
    used += txGasUsed(tx)
  }
  const txs = [...forced, ...included]
  const version = job.engineVersion === 4 ? 4 : 3
  const { payload, blockValue } = sealPayload({
    fork,
    version,
    parent: { hash: parent.hash, number: BigInt(parent.number), stateRoot: parent.stateRoot },
    attrs: a,
    gasLimit,
    baseFee,
    txs,
  })
  const block: AssembledBlock = {
    jobId: job.jobId,
    executionPayload: payload,
    parentBeaconBlockRoot: a.parentBeaconBlockRoot,
    blockValue: toQuantity(blockValue),
    included,
    value: blockValue,
  }
  if (version === 4) block.executionRequests = []
  return block
}

// In a module of its own so that the submission client can send a block without loading the parse (viem).
export { submissionOf } from './submissionOf.js'
