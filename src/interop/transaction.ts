import { fromRlp, parseTransaction, toRlp, type TransactionSerializable } from 'viem'
import { keccak256 } from '../util/keccak.js'
import { bytesToHex, hexToBytes } from '../util/hex.js'
import { inboxEntries } from './accessList.js'
import { TransactionDecodeError } from './errors.js'
import type { Hex } from './types.js'

export type TransactionType = 'legacy' | 'eip2930' | 'eip1559' | 'eip4844' | 'eip7702'

/** What ingress and `superguard inspect` need from a raw transaction. */
export type DecodedTransaction = {
  hash: Hex
  type: TransactionType
  /** undefined for a legacy transaction without EIP-155 replay protection. */
  chainId: bigint | undefined
  nonce: number
  /** null for contract creation. */
  to: Hex | null
  /** Storage keys of every access-list tuple addressed to CrossL2Inbox, in order. */
  inboxEntries: Hex[]
}

const RAW = /^0x(?:[0-9a-fA-F]{2})+$/
const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const KEY = /^0x[0-9a-fA-F]{64}$/

/**
 * Decodes a signed raw transaction as eth_sendRawTransaction receives it (typed envelopes and
 * legacy RLP; EIP-4844 in either canonical or network form with blob sidecars). Throws
 * TransactionDecodeError on anything malformed; deposit (0x7e) transactions are refused
 * because they never come through a mempool.
 */
export function decodeTransaction(raw: Hex): DecodedTransaction {
  if (typeof raw !== 'string' || !RAW.test(raw)) throw new TransactionDecodeError('transaction is not a non-empty even-length hex string')
  let tx: TransactionSerializable
  try {
    tx = parseTransaction(raw)
  } catch (err) {
    const e = err as { shortMessage?: string; message?: string }
    throw new TransactionDecodeError(`invalid transaction: ${e.shortMessage ?? e.message ?? String(err)}`, { cause: err })
  }
  const type = tx.type as TransactionType | undefined
  if (type === undefined || !TYPES.has(type)) throw new TransactionDecodeError(`unsupported transaction type ${String(type)}`)
  if (!isSignature(tx.r) || !isSignature(tx.s)) throw new TransactionDecodeError('transaction is not signed')
  const accessList = 'accessList' in tx ? tx.accessList : undefined
  // viem does not check key sizes when parsing; geth decodes keys as 32-byte hashes and refuses others
  for (const t of accessList ?? []) {
    if (!ADDRESS.test(t.address)) throw new TransactionDecodeError(`invalid transaction: access-list address ${t.address} is not 20 bytes`)
    for (const k of t.storageKeys) if (!KEY.test(k)) throw new TransactionDecodeError(`invalid transaction: access-list storage key ${k} is not 32 bytes`)
  }
  return {
    hash: txHash(raw, type, 'sidecars' in tx && tx.sidecars !== undefined && tx.sidecars !== false),
    type,
    chainId: tx.chainId === undefined ? undefined : BigInt(tx.chainId),
    nonce: tx.nonce ?? 0,
    to: tx.to ? (tx.to.toLowerCase() as Hex) : null,
    inboxEntries: inboxEntries(accessList).map((k) => k.toLowerCase() as Hex),
  }
}

const TYPES: ReadonlySet<string> = new Set<TransactionType>(['legacy', 'eip2930', 'eip1559', 'eip4844', 'eip7702'])

function isSignature(v: Hex | undefined): boolean {
  return v !== undefined && v !== '0x' && BigInt(v) !== 0n
}

/**
 * The transaction hash is keccak256 of the canonical encoding. A blob transaction in network
 * form (0x03 || rlp([tx, blobs, commitments, proofs])) hashes only 0x03 || rlp(tx), as geth does.
 */
function txHash(raw: Hex, type: TransactionType, wrapped: boolean): Hex {
  if (type === 'eip4844' && wrapped) {
    const outer = fromRlp(`0x${raw.slice(4)}`, 'hex')
    const inner = Array.isArray(outer) ? outer[0] : undefined
    if (!Array.isArray(inner)) throw new TransactionDecodeError('invalid transaction: malformed blob transaction wrapper')
    return bytesToHex(keccak256(hexToBytes(`0x03${toRlp(inner).slice(2)}`)))
  }
  return bytesToHex(keccak256(hexToBytes(raw)))
}
