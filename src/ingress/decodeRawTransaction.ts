import { type DecodedTransaction, decodeTransaction } from '../engine/decodeTransaction.js'
import { InvalidParamsError } from '../errors/index.js'
import { type Hex, TransactionDecodeError } from '../interop/index.js'

export type IngressTxType = 'legacy' | 'eip2930' | 'eip1559' | 'eip7702'

/** What the ingress needs from a raw transaction to route it. */
export type IngressTx = Omit<DecodedTransaction, 'type'> & { type: IngressTxType }

/**
 * Decodes a signed raw transaction (src/engine decodeTransaction). The ingress takes the L2
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
