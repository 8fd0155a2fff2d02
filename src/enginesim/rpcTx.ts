import { DEPOSIT_TX_TYPE, type DecodedTx } from '../engine/decodeTx.js'
import type { Hex } from '../engine/types.js'
import { toQuantity } from '../util/hex.js'

export type BlockContext = { blockHash: Hex; blockNumber: bigint; index: number; baseFee: bigint }

/**
 * A transaction as geth's RPCTransaction JSON (eth_getTransactionByHash, txpool_content, full
 * blocks): pooled ones have null block fields and gasPrice = fee cap; mined ones the effective price.
 */
export function rpcTransaction(tx: DecodedTx, from: Hex | undefined, at?: BlockContext): Record<string, unknown> {
  const p = tx.parsed
  const q = (v: unknown) => (typeof v === 'bigint' || typeof v === 'number' ? toQuantity(v) : undefined)
  const out: Record<string, unknown> = {
    blockHash: at?.blockHash ?? null,
    blockNumber: at ? toQuantity(at.blockNumber) : null,
    from: from ?? tx.depositFrom ?? null,
    gas: toQuantity(tx.gas),
    gasPrice: toQuantity(
      at && tx.type >= 2 && tx.type !== DEPOSIT_TX_TYPE
        ? at.baseFee + minTip(tx, at.baseFee)
        : tx.type === DEPOSIT_TX_TYPE
          ? 0n
          : tx.maxFeePerGas,
    ),
    hash: tx.hash,
    input: tx.data,
    nonce: toQuantity(tx.nonce),
    to: tx.to,
    transactionIndex: at ? toQuantity(at.index) : null,
    value: toQuantity(tx.value),
    type: toQuantity(tx.type),
  }
  if (tx.type === DEPOSIT_TX_TYPE) {
    out.sourceHash = p.sourceHash
    out.mint = q(p.mint) ?? '0x0'
    out.isSystemTx = p.isSystemTx === true
    out.v = out.r = out.s = '0x0'
    return out
  }
  if (tx.type >= 2) {
    out.maxFeePerGas = toQuantity(tx.maxFeePerGas)
    out.maxPriorityFeePerGas = toQuantity(tx.maxPriorityFeePerGas)
  }
  if (tx.type >= 1) out.accessList = tx.accessList
  if (tx.chainId !== undefined) out.chainId = toQuantity(tx.chainId)
  if (Array.isArray(p.authorizationList)) {
    out.authorizationList = (p.authorizationList as Record<string, unknown>[]).map((a) => ({
      chainId: q(a.chainId),
      address: a.address,
      nonce: q(a.nonce),
      yParity: q(a.yParity),
      r: a.r,
      s: a.s,
    }))
  }
  out.v = q(p.v) ?? q(p.yParity) ?? '0x0'
  out.r = p.r
  out.s = p.s
  if (tx.type >= 1) out.yParity = q(p.yParity) ?? '0x0'
  return out
}

function minTip(tx: DecodedTx, baseFee: bigint): bigint {
  const headroom = tx.maxFeePerGas - baseFee
  return tx.maxPriorityFeePerGas < headroom ? tx.maxPriorityFeePerGas : headroom
}
