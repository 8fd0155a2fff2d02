export * from './types.js'
export { EMPTY_TRIE_ROOT, orderedTrieRoot, rlpIndex, trieRoot } from './trie.js'
export {
  computeBlockHash, EMPTY_OMMERS_HASH, EMPTY_REQUESTS_HASH, encodeHeader, hashHeader, headerFromPayload,
  requestsHash, scalarBytes, transactionsRoot, withdrawalsRoot, type BlockHeader,
} from './blockHash.js'
export { payloadNumberAndTime, payloadToBlockSummary, txHash, type RpcBlock } from './blockSummary.js'
export { parseDataList, parseExecutionPayload, parseForkchoiceState, parsePayloadAttributes, parseWithdrawals } from './validate.js'
