import { computeBlockHash, type Hex } from '../../src/engine/index.js'
import { type SimBlock, toSimBlock } from '../../src/enginesim/chain.js'

export {
  decodeTx,
  executeTxs,
  extraDataFor,
  feeParamsOf,
  intrinsicGas,
  nextBaseFee,
  simStateRoot,
  txGasUsed,
} from '../../src/engine/index.js'
export { Chain, genesisBlock, Mempool, payloadId } from '../../src/enginesim/index.js'

/** A minimal child block (no transactions) distinguished by `tag` in prevRandao, for chain tests. */
export function toSimBlockForTest(parent: SimBlock, tag: number): SimBlock {
  const payload = {
    ...parent.payload,
    parentHash: parent.hash,
    blockNumber: `0x${(parent.number + 1n).toString(16)}` as Hex,
    prevRandao: `0x${tag.toString(16).padStart(64, '0')}` as Hex,
  }
  payload.blockHash = computeBlockHash(payload, parent.parentBeaconBlockRoot, [])
  return toSimBlock(payload, parent.parentBeaconBlockRoot, [])
}
