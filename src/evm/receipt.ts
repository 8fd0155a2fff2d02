import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes } from '@ethereumjs/util'
import { DEPOSIT_TX_TYPE } from '../engine/decodeTx.js'
import type { Hex } from '../engine/types.js'
import { hexToBytes, toQuantity } from '../util/hex.js'

export type EvmLog = { address: Hex; topics: Hex[]; data: Hex }

/**
 * A transaction's receipt as engine-sim keeps it (op-geth's types.Receipt without the block
 * fields, which the views add). Deposits carry depositNonce and depositReceiptVersion 1 (Canyon+),
 * which are part of their consensus encoding.
 */
export type EvmReceipt = {
  txHash: Hex
  type: number
  from: Hex
  to: Hex | null
  status: 0 | 1
  gasUsed: bigint
  cumulativeGasUsed: bigint
  logs: EvmLog[]
  /** 256 bytes. */
  logsBloom: Hex
  contractAddress: Hex | null
  /** baseFee + effective tip; 0 for deposits. */
  effectiveGasPrice: bigint
  depositNonce?: bigint
  depositReceiptVersion?: bigint
}

/**
 * The receipt's consensus encoding (the receipts trie leaf): type ‖ rlp([status, cumulativeGasUsed,
 * bloom, logs]) (no type byte for legacy); deposits (0x7e) append depositNonce and
 * depositReceiptVersion, as op-geth's depositReceiptRLP.
 */
export function encodeReceipt(r: EvmReceipt): Uint8Array {
  const fields: unknown[] = [
    r.status === 1 ? Uint8Array.of(1) : new Uint8Array(0),
    bigIntToUnpaddedBytes(r.cumulativeGasUsed),
    hexToBytes(r.logsBloom),
    r.logs.map((l) => [hexToBytes(l.address), l.topics.map(hexToBytes), hexToBytes(l.data)]),
  ]
  if (r.type === DEPOSIT_TX_TYPE && r.depositNonce !== undefined) {
    fields.push(bigIntToUnpaddedBytes(r.depositNonce), bigIntToUnpaddedBytes(r.depositReceiptVersion ?? 1n))
  }
  const body = RLP.encode(fields as Parameters<typeof RLP.encode>[0])
  if (r.type === 0) return body
  const out = new Uint8Array(body.length + 1)
  out[0] = r.type
  out.set(body, 1)
  return out
}

export type ReceiptContext = { blockHash: Hex; blockNumber: bigint; index: number; firstLogIndex: number }

/** A log as eth_getLogs and receipts show it (geth's JSON). */
export function rpcLog(l: EvmLog, at: ReceiptContext, txHash: Hex, logIndex: number): Record<string, unknown> {
  return {
    address: l.address,
    topics: l.topics,
    data: l.data,
    blockNumber: toQuantity(at.blockNumber),
    transactionHash: txHash,
    transactionIndex: toQuantity(at.index),
    blockHash: at.blockHash,
    logIndex: toQuantity(logIndex),
    removed: false,
  }
}

/**
 * A receipt as op-geth's eth_getTransactionReceipt JSON. The L1 fee fields are zero: engine-sim
 * charges no L1 data fee (README: "L1 data fee").
 */
export function rpcReceipt(r: EvmReceipt, at: ReceiptContext): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: toQuantity(r.type),
    status: toQuantity(r.status),
    cumulativeGasUsed: toQuantity(r.cumulativeGasUsed),
    logs: r.logs.map((l, i) => rpcLog(l, at, r.txHash, at.firstLogIndex + i)),
    logsBloom: r.logsBloom,
    transactionHash: r.txHash,
    contractAddress: r.contractAddress,
    gasUsed: toQuantity(r.gasUsed),
    effectiveGasPrice: toQuantity(r.effectiveGasPrice),
    blockHash: at.blockHash,
    blockNumber: toQuantity(at.blockNumber),
    transactionIndex: toQuantity(at.index),
    from: r.from,
    to: r.to,
  }
  if (r.type === DEPOSIT_TX_TYPE) {
    if (r.depositNonce !== undefined) out.depositNonce = toQuantity(r.depositNonce)
    if (r.depositReceiptVersion !== undefined) out.depositReceiptVersion = toQuantity(r.depositReceiptVersion)
  } else {
    out.l1GasPrice = '0x0'
    out.l1GasUsed = '0x0'
    out.l1Fee = '0x0'
  }
  return out
}
