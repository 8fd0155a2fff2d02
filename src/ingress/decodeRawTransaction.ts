import { parseTransaction, serializeTransaction, type TransactionSerializable } from 'viem'
import { InvalidParamsError } from '../errors/index.js'
import { decodeTransaction, TransactionDecodeError, type DecodedTransaction, type Hex } from '../interop/index.js'
import { bytesToHex, hexToBytes } from '../util/hex.js'
import { keccak256 } from '../util/keccak.js'

export type IngressTxType = 'legacy' | 'eip2930' | 'eip1559' | 'eip7702'

/** What the ingress needs from a raw transaction to route it. */
export type IngressTx = Omit<DecodedTransaction, 'type'> & { type: IngressTxType }

/**
 * Decodes a signed raw transaction (src/interop decodeTransaction). The ingress takes the L2
 * mempool types (legacy, 2930, 1559, 7702); blob, deposit, unsigned and malformed transactions
 * are refused with -32602.
 */
export function decodeRawTransaction(raw: unknown): IngressTx {
  let tx: DecodedTransaction
  try {
    tx = decodeTransaction(raw as Hex)
  } catch (err) {
    if (err instanceof TransactionDecodeError) throw new InvalidParamsError(err.message)
    throw err
  }
  if (tx.type === 'eip4844') throw new InvalidParamsError('transaction type not supported: eip4844')
  return tx as IngressTx
}

/** What a sender recovery needs: the signing hash and the 64-byte compact signature with its recovery bit. */
export type SigningData = { signingHash: Uint8Array; signature: Uint8Array; recovery: 0 | 1 }

/**
 * The signing payload of a decoded transaction: its unsigned serialization (typed envelope, or
 * EIP-155 / pre-155 legacy RLP) hashed with keccak, so recovery is one secp256k1 call.
 * Only interop transactions pay for this (the sender rate limit applies to them only).
 */
export function signingData(raw: Hex): SigningData {
  const tx = parse(raw)
  const { r, s, v, yParity, ...unsigned } = tx as TransactionSerializable & { r?: Hex; s?: Hex; v?: bigint; yParity?: number }
  if (r === undefined || s === undefined) throw new InvalidParamsError('transaction is not signed')
  let recovery: number
  if (tx.type === 'legacy') {
    const vv = v ?? 0n
    recovery = vv === 27n || vv === 28n ? Number(vv - 27n) : Number((vv - 35n) % 2n)
  } else {
    recovery = yParity ?? -1
  }
  if (recovery !== 0 && recovery !== 1) throw new InvalidParamsError('invalid transaction v, r, s values')
  const signature = new Uint8Array(64)
  signature.set(hexToBytes(r.slice(2).padStart(64, '0')), 0)
  signature.set(hexToBytes(s.slice(2).padStart(64, '0')), 32)
  return { signingHash: keccak256(hexToBytes(serializeTransaction(unsigned))), signature, recovery }
}

/** viem's parse of a transaction decodeRawTransaction already accepted (so failures here are rare). */
function parse(raw: Hex): TransactionSerializable {
  let tx: TransactionSerializable & { r?: Hex; s?: Hex }
  try {
    tx = parseTransaction(raw)
  } catch (err) {
    const e = err as { shortMessage?: string; message?: string }
    throw new InvalidParamsError(`transaction could not be decoded: ${e.shortMessage ?? e.message ?? String(err)}`)
  }
  if (!isSignature(tx.r) || !isSignature(tx.s)) throw new InvalidParamsError('transaction is not signed')
  return tx
}

function isSignature(v: Hex | undefined): boolean {
  return v !== undefined && v !== '0x' && /[1-9a-fA-F]/.test(v.slice(2))
}
