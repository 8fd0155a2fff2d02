import { inboxEntries } from '../interop/accessList.js'
import { TransactionDecodeError } from '../interop/errors.js'
import { canonicalTxHash, DEPOSIT_TX_TYPE, parseFailure, parseTx, txTypeNumber } from './decodeTx.js'
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
 * legacy RLP; EIP-4844 in either canonical or network form with blob sidecars), with decodeTx's
 * parse. Throws TransactionDecodeError on anything malformed; deposit (0x7e) transactions are
 * refused because they never come through a mempool.
 */
export function decodeTransaction(raw: Hex): DecodedTransaction {
  if (typeof raw !== 'string' || !RAW.test(raw))
    throw new TransactionDecodeError('transaction is not a non-empty even-length hex string')
  let tx: Record<string, unknown>
  try {
    tx = parseTx(raw)
  } catch (err) {
    throw new TransactionDecodeError(`invalid transaction: ${parseFailure(err)}`, { cause: err })
  }
  const typeNumber = txTypeNumber(tx.type)
  if (typeNumber === undefined || typeNumber === DEPOSIT_TX_TYPE)
    throw new TransactionDecodeError(`unsupported transaction type ${String(tx.type)}`)
  const type = tx.type as TransactionType
  if (!isSignature(tx.r) || !isSignature(tx.s)) throw new TransactionDecodeError('transaction is not signed')
  const accessList = tx.accessList as { address: Hex; storageKeys: readonly Hex[] }[] | undefined
  // viem does not check key sizes when parsing; geth decodes keys as 32-byte hashes and refuses others
  for (const t of accessList ?? []) {
    if (!ADDRESS.test(t.address))
      throw new TransactionDecodeError(`invalid transaction: access-list address ${t.address} is not 20 bytes`)
    for (const k of t.storageKeys)
      if (!KEY.test(k))
        throw new TransactionDecodeError(`invalid transaction: access-list storage key ${k} is not 32 bytes`)
  }
  let hash: Hex
  try {
    hash = canonicalTxHash(raw, tx)
  } catch (err) {
    throw new TransactionDecodeError(`invalid transaction: ${parseFailure(err)}`, { cause: err })
  }
  return {
    hash,
    type,
    chainId: tx.chainId === undefined ? undefined : BigInt(tx.chainId as number),
    nonce: (tx.nonce as number | undefined) ?? 0,
    to: tx.to ? ((tx.to as string).toLowerCase() as Hex) : null,
    inboxEntries: inboxEntries(accessList).map((k) => k.toLowerCase() as Hex),
  }
}

function isSignature(v: unknown): boolean {
  return typeof v === 'string' && v !== '0x' && BigInt(v) !== 0n
}
