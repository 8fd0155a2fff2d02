export * from './types.js'
export { EMPTY_TRIE_ROOT, orderedTrieRoot, rlpIndex, trieRoot } from './trie.js'
export {
  computeBlockHash,
  EMPTY_OMMERS_HASH,
  EMPTY_REQUESTS_HASH,
  encodeHeader,
  hashHeader,
  headerFromPayload,
  requestsHash,
  scalarBytes,
  transactionsRoot,
  withdrawalsRoot,
  type BlockHeader,
} from './blockHash.js'
export { payloadNumberAndTime, payloadToBlockSummary, txHash, type RpcBlock } from './blockSummary.js'
export {
  parseDataList,
  parseExecutionPayload,
  parseForkchoiceState,
  parsePayloadAttributes,
  parseWithdrawals,
} from './validate.js'
export { decodeTx, DEPOSIT_TX_TYPE, canonicalTxHash, parseTx, type DecodedTx } from './decodeTx.js'
export { decodeTransaction, type DecodedTransaction, type TransactionType } from './decodeTransaction.js'
export {
  applyError,
  effectiveTip,
  executeTxs,
  intrinsicGas,
  simStateRoot,
  txGasUsed,
  TxApplyError,
  ZERO_BLOOM,
  type ExecEnv,
  type ExecResult,
} from './execution.js'
export {
  DEFAULT_DENOMINATOR,
  DEFAULT_ELASTICITY,
  extraDataError,
  extraDataFor,
  feeParamsOf,
  nextBaseFee,
  type FeeParams,
} from './feeParams.js'
export { FORKS, forkAtLeast, payloadVersion, type Fork } from './fork.js'
export { recoverSender, senderRecovery, type SenderRecovery } from './senderRecovery.js'
export { signingData, type SigningData } from './signingData.js'
export { newPayloadRequest, type NewPayloadRequest } from './newPayload.js'
export { admitTx, type AdmissionRules } from './admitTx.js'
export { TxRejectedError } from './errors.js'
export { Mempool, type PoolTx } from './mempool.js'
export { sealPayload, type SealInput } from './sealPayload.js'
