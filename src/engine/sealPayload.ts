import { toQuantity } from '../util/hex.js'
import { computeBlockHash } from './blockHash.js'
import type { DecodedTx } from './decodeTx.js'
import { executeTxs } from './execution.js'
import { extraDataFor } from './feeParams.js'
import type { Fork } from './fork.js'
import { EMPTY_TRIE_ROOT } from './trie.js'
import type { ExecutionPayloadV3, Hex, PayloadAttributesV3 } from './types.js'

export type SealInput = {
  fork: Fork
  /** 4 from Isthmus (withdrawalsRoot, empty execution requests), else 3. */
  version: 3 | 4
  parent: { hash: Hex; number: bigint; stateRoot: Hex }
  attrs: PayloadAttributesV3
  gasLimit: bigint
  baseFee: bigint
  /** In block order: the forced ones first. */
  txs: readonly DecodedTx[]
}

/**
 * The payload of a block of `txs` on `parent` under the simulated execution (src/engine/execution.ts),
 * its hash computed: engine-sim's getPayload and the reference builder seal blocks the same way.
 * Quantities in `attrs` are read with BigInt: both callers have them checked already.
 */
export function sealPayload(o: SealInput): { payload: ExecutionPayloadV3; blockValue: bigint } {
  const { attrs: a, parent, gasLimit, baseFee, txs } = o
  const exec = executeTxs(
    {
      parentStateRoot: parent.stateRoot,
      feeRecipient: a.suggestedFeeRecipient,
      parentBeaconBlockRoot: a.parentBeaconBlockRoot,
      timestamp: BigInt(a.timestamp),
      baseFee,
      gasLimit,
    },
    txs,
  )
  const payload: ExecutionPayloadV3 = {
    parentHash: parent.hash,
    feeRecipient: a.suggestedFeeRecipient,
    stateRoot: exec.stateRoot,
    receiptsRoot: exec.receiptsRoot,
    logsBloom: exec.logsBloom,
    prevRandao: a.prevRandao,
    blockNumber: toQuantity(parent.number + 1n),
    gasLimit: toQuantity(gasLimit),
    gasUsed: toQuantity(exec.gasUsed),
    timestamp: a.timestamp,
    extraData: extraDataFor(
      o.fork,
      a.eip1559Params,
      a.minBaseFee === undefined || a.minBaseFee === null ? null : BigInt(a.minBaseFee),
    ),
    baseFeePerGas: toQuantity(baseFee),
    blockHash: `0x${'00'.repeat(32)}`,
    transactions: txs.map((t) => t.raw),
    withdrawals: [],
    blobGasUsed: '0x0',
    excessBlobGas: '0x0',
  }
  const v4 = o.version === 4
  // OP Isthmus: the L2ToL1MessagePasser storage root; the sim has no such storage, so the empty root.
  if (v4) payload.withdrawalsRoot = EMPTY_TRIE_ROOT
  payload.blockHash = computeBlockHash(payload, a.parentBeaconBlockRoot, v4 ? [] : undefined)
  return { payload, blockValue: exec.blockValue }
}
