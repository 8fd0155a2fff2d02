import { DEPOSIT_TX_TYPE, type DecodedTx, decodeTx } from './decodeTx.js'
import { TxRejectedError } from './errors.js'
import { intrinsicGas } from './execution.js'
import { type Fork, forkAtLeast } from './fork.js'
import type { Hex } from './types.js'

export type AdmissionRules = {
  /** The chain's id; undefined accepts any (replay protection is still required). */
  chainId?: number | undefined
  /** Set-code (type 4) transactions need Isthmus; undefined accepts them. */
  fork?: Fork | undefined
  /** Whether a hash is already pooled (or mined): "already known". */
  known(hash: Hex): boolean
}

/**
 * What a client is told of a transaction that does not decode: decodeTx's own reasons, but never the
 * codec library's words after "undecodable transaction:" (viem's, e.g. "Position `1` is out of
 * bounds (`0 < position < 1`)"): an internal detail, and not a stable answer.
 */
function decodeFailure(err: unknown): string {
  const msg = err instanceof Error ? err.message : ''
  return msg.startsWith('undecodable transaction') || msg === '' ? 'undecodable transaction' : msg
}

/**
 * geth's eth_sendRawTransaction checks before the pool, with its wording (TxRejectedError, -32000):
 * decodable, a mempool type (no deposits, no blobs on OP), EIP-155, the chain id, not known, gas at
 * least the intrinsic gas. Sender recovery and the pool's own rules (nonce, replacement, size) follow.
 */
export function admitTx(raw: unknown, rules: AdmissionRules): DecodedTx {
  let tx: DecodedTx
  try {
    tx = decodeTx(raw)
  } catch (err) {
    throw new TxRejectedError(decodeFailure(err))
  }
  if (
    tx.type === DEPOSIT_TX_TYPE ||
    tx.type === 3 ||
    (tx.type === 4 && rules.fork !== undefined && !forkAtLeast(rules.fork, 'isthmus'))
  )
    throw new TxRejectedError('transaction type not supported')
  if (tx.chainId === undefined)
    throw new TxRejectedError('only replay-protected (EIP-155) transactions allowed over RPC')
  if (rules.chainId !== undefined && tx.chainId !== rules.chainId)
    throw new TxRejectedError(`invalid chain id for signer: have ${tx.chainId} want ${rules.chainId}`)
  if (rules.known(tx.hash)) throw new TxRejectedError('already known')
  const intrinsic = intrinsicGas(tx)
  if (tx.gas < intrinsic) throw new TxRejectedError(`intrinsic gas too low: gas ${tx.gas}, minimum needed ${intrinsic}`)
  return tx
}
