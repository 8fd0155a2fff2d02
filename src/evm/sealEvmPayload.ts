import { computeBlockHash } from '../engine/blockHash.js'
import { extraDataFor } from '../engine/feeParams.js'
import type { Fork } from '../engine/fork.js'
import type { ExecutionPayloadV3, Hex, PayloadAttributesV3 } from '../engine/types.js'
import { toQuantity } from '../util/hex.js'
import type { BlockEnv, BlockExecution, BlockExecutor, BlockHashes, ExecTx } from './executor.js'

export type EvmSealInput = {
  fork: Fork
  /** 4 from Isthmus (withdrawalsRoot, empty execution requests), else 3. */
  version: 3 | 4
  parent: { hash: Hex; number: bigint; stateRoot: Hex }
  attrs: PayloadAttributesV3
  gasLimit: bigint
  baseFee: bigint
  /** The attributes' transactions (deposits first), which must all apply. */
  forced: readonly ExecTx[]
  /** Pool transactions in inclusion order; those that cannot apply are left out. */
  candidates: Iterable<ExecTx>
  hashes?: BlockHashes
  /**
   * An earlier execution of this same block (parent, attributes, forced transactions) to continue:
   * `candidates` are then only the ones after those it consumed (BlockExecutor.execute).
   */
  resume?: BlockExecution
}

/** The environment of the child of `parent` built from `attrs`. */
export function envOf(o: Pick<EvmSealInput, 'parent' | 'attrs' | 'gasLimit' | 'baseFee'>): BlockEnv {
  return {
    number: o.parent.number + 1n,
    timestamp: BigInt(o.attrs.timestamp),
    coinbase: o.attrs.suggestedFeeRecipient,
    gasLimit: o.gasLimit,
    baseFee: o.baseFee,
    prevRandao: o.attrs.prevRandao,
    parentHash: o.parent.hash,
    parentBeaconBlockRoot: o.attrs.parentBeaconBlockRoot,
    parentStateRoot: o.parent.stateRoot,
  }
}

/**
 * Builds and seals a block with real EVM execution: the forced transactions, then the candidates
 * that apply (geth's miner skips the rest), the roots from execution and the block hash. engine-sim's
 * getPayload and the reference builder seal blocks the same way. Throws TxApplyError when a forced
 * transaction cannot apply. Quantities in `attrs` are read with BigInt: both callers checked them.
 */
export async function sealEvmPayload(
  executor: BlockExecutor,
  o: EvmSealInput,
): Promise<{ payload: ExecutionPayloadV3; execution: BlockExecution }> {
  const { attrs: a, parent } = o
  const forced = o.forced
  function* all(): Generator<ExecTx> {
    if (!o.resume) yield* forced
    yield* o.candidates
  }
  const execution = await executor.execute(
    envOf(o),
    all(),
    { mode: 'build', forced: forced.length },
    o.hashes,
    o.resume,
  )
  const payload: ExecutionPayloadV3 = {
    parentHash: parent.hash,
    feeRecipient: a.suggestedFeeRecipient,
    stateRoot: execution.stateRoot,
    receiptsRoot: execution.receiptsRoot,
    logsBloom: execution.logsBloom,
    prevRandao: a.prevRandao,
    blockNumber: toQuantity(parent.number + 1n),
    gasLimit: toQuantity(o.gasLimit),
    gasUsed: toQuantity(execution.gasUsed),
    timestamp: a.timestamp,
    extraData: extraDataFor(
      o.fork,
      a.eip1559Params,
      a.minBaseFee === undefined || a.minBaseFee === null ? null : BigInt(a.minBaseFee),
    ),
    baseFeePerGas: toQuantity(o.baseFee),
    blockHash: `0x${'00'.repeat(32)}`,
    transactions: execution.txs.map((t) => t.tx.raw),
    withdrawals: [],
    blobGasUsed: '0x0',
    excessBlobGas: '0x0',
  }
  const v4 = o.version === 4
  if (v4) payload.withdrawalsRoot = execution.withdrawalsRoot
  payload.blockHash = computeBlockHash(payload, a.parentBeaconBlockRoot, v4 ? [] : undefined)
  return { payload, execution }
}
