export { type AdmissionRules, admitTx } from './admitTx.js'
export {
  type BlockHeader,
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
} from './blockHash.js'
export { payloadNumberAndTime, payloadToBlockSummary, type RpcBlock, txHash } from './blockSummary.js'
export { type DecodedTransaction, decodeTransaction, type TransactionType } from './decodeTransaction.js'
export { canonicalTxHash, DEPOSIT_TX_TYPE, type DecodedTx, decodeTx, parseTx } from './decodeTx.js'
export { TxRejectedError } from './errors.js'
export {
  applyError,
  type ExecEnv,
  type ExecResult,
  effectiveTip,
  executeTxs,
  intrinsicGas,
  simStateRoot,
  TxApplyError,
  txGasUsed,
  ZERO_BLOOM,
} from './execution.js'
export {
  DEFAULT_DENOMINATOR,
  DEFAULT_ELASTICITY,
  extraDataError,
  extraDataFor,
  type FeeParams,
  feeParamsOf,
  nextBaseFee,
} from './feeParams.js'
export { FORKS, type Fork, forkAtLeast, getPayloadVersion, payloadVersion } from './fork.js'
export { Mempool, type PoolTx } from './mempool.js'
export { type NewPayloadRequest, newPayloadRequest } from './newPayload.js'
export { POST_EXEC_TX_TYPE, postExecViolation, withoutPostExec } from './postExec.js'
export { type SealInput, sealPayload } from './sealPayload.js'
export { recoverSender, type SenderRecovery, senderRecovery } from './senderRecovery.js'
export { type SigningData, signingData } from './signingData.js'
export { EMPTY_TRIE_ROOT, orderedTrieRoot, rlpIndex, trieRoot } from './trie.js'
export * from './types.js'
export {
  parseDataList,
  parseExecutionPayload,
  parseForkchoiceState,
  parsePayloadAttributes,
  parseWithdrawals,
} from './validate.js'
