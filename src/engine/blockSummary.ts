import { bytesToHex, hexToBytes, quantityToBigInt } from '../util/hex.js'
import { keccak256 } from '../util/keccak.js'
import { EMPTY_OMMERS_HASH, encodeHeader, headerFromPayload, requestsHash } from './blockHash.js'
import type { ExecutionPayloadV3, Hex, Quantity, WithdrawalV1 } from './types.js'

/** A block as eth_getBlockByNumber / eth_getBlockByHash return it (geth field names), with tx hashes. */
export type RpcBlock = {
  hash: Hex
  parentHash: Hex
  sha3Uncles: Hex
  miner: Hex
  stateRoot: Hex
  transactionsRoot: Hex
  receiptsRoot: Hex
  logsBloom: Hex
  difficulty: Quantity
  number: Quantity
  gasLimit: Quantity
  gasUsed: Quantity
  timestamp: Quantity
  extraData: Hex
  mixHash: Hex
  nonce: Hex
  baseFeePerGas: Quantity
  withdrawalsRoot: Hex
  blobGasUsed: Quantity
  excessBlobGas: Quantity
  parentBeaconBlockRoot: Hex
  requestsHash?: Hex
  size: Quantity
  uncles: Hex[]
  transactions: Hex[]
  withdrawals: WithdrawalV1[]
}

/** Hash of a raw EIP-2718 transaction (any type, deposits included): keccak256 of its bytes. */
export function txHash(raw: Hex): Hex {
  return bytesToHex(keccak256(hexToBytes(raw)))
}

/**
 * The RPC view of a payload, for serving eth_getBlockBy*. `hash` is the payload's blockHash as given
 * (validate it with computeBlockHash first). `size` is the RLP block length, approximated as the
 * header plus the raw transactions (exact framing bytes of the body list are left out).
 */
export function payloadToBlockSummary(
  payload: ExecutionPayloadV3,
  parentBeaconBlockRoot: Hex,
  executionRequests?: readonly Hex[],
): RpcBlock {
  const header = headerFromPayload(
    payload,
    parentBeaconBlockRoot,
    executionRequests === undefined ? undefined : requestsHash(executionRequests),
  )
  const txBytes = payload.transactions.reduce((n, t) => n + (t.length - 2) / 2, 0)
  const block: RpcBlock = {
    hash: payload.blockHash,
    parentHash: payload.parentHash,
    sha3Uncles: EMPTY_OMMERS_HASH,
    miner: payload.feeRecipient,
    stateRoot: payload.stateRoot,
    transactionsRoot: header.transactionsRoot,
    receiptsRoot: payload.receiptsRoot,
    logsBloom: payload.logsBloom,
    difficulty: '0x0',
    number: payload.blockNumber,
    gasLimit: payload.gasLimit,
    gasUsed: payload.gasUsed,
    timestamp: payload.timestamp,
    extraData: payload.extraData,
    mixHash: payload.prevRandao,
    nonce: '0x0000000000000000',
    baseFeePerGas: payload.baseFeePerGas,
    withdrawalsRoot: header.withdrawalsRoot!,
    blobGasUsed: payload.blobGasUsed,
    excessBlobGas: payload.excessBlobGas,
    parentBeaconBlockRoot,
    size: `0x${(encodeHeader(header).length + txBytes).toString(16)}`,
    uncles: [],
    transactions: payload.transactions.map(txHash),
    withdrawals: payload.withdrawals,
  }
  if (header.requestsHash !== undefined) block.requestsHash = header.requestsHash
  return block
}

/** Number and timestamp of a payload as bigints, the two fields most callers compare. */
export function payloadNumberAndTime(payload: ExecutionPayloadV3): { number: bigint; timestamp: bigint } {
  return { number: quantityToBigInt(payload.blockNumber), timestamp: quantityToBigInt(payload.timestamp) }
}
