import { bytesToHex, hexToBytes } from '../util/hex.js'
import { keccak256 } from '../util/keccak.js'
import { scalarBytes } from './blockHash.js'
import type { DecodedTx } from './decodeTx.js'
import { rlpEncode } from './rlp.js'
import { orderedTrieRoot } from './trie.js'
import { DEPOSIT_TX_TYPE } from './txType.js'
import type { Hex } from './types.js'

/**
 * The engine-sim's stand-in for EVM execution. There is no state: every transaction succeeds,
 * emits no logs and uses a fixed, documented amount of gas, and the block commits to its ordered
 * transactions through a deterministic "state root". Two engine-sims therefore agree on every
 * block, and any tampering with the transaction list, order or block environment is detected.
 *
 *   gasUsed(tx)   = min(tx.gas, intrinsic(tx)); intrinsic = 21000 + 4 per zero / 16 per non-zero
 *                   calldata byte + (create: 32000 + 2 per 32-byte initcode word) + 2400 per
 *                   access-list address + 1900 per storage key + 25000 per EIP-7702 authorization
 *   stateRoot     = keccak256(parent.stateRoot ‖ keccak256(txHash_0 ‖ … ‖ txHash_n-1)
 *                              ‖ feeRecipient ‖ parentBeaconBlockRoot ‖ uint64be(timestamp))
 *   receiptsRoot  = the real receipts trie of synthetic receipts: type ‖ rlp([1, cumulativeGasUsed,
 *                   zero bloom, []]) (deposit receipts without depositNonce/version fields)
 *   logsBloom     = 256 zero bytes
 *   blockValue    = Σ over non-deposits of gasUsed × min(maxPriorityFee, maxFee − baseFee)
 * Like a real engine, a transaction is refused when its gas exceeds the gas left in the block
 * ("gas limit reached") or, unless it is a deposit, its fee cap is below the base fee.
 */

export const ZERO_BLOOM: Hex = `0x${'00'.repeat(256)}`
const ZERO_BLOOM_BYTES = new Uint8Array(256)

export function intrinsicGas(tx: DecodedTx): bigint {
  const data = hexToBytes(tx.data)
  let gas = 21000n
  let zeros = 0
  for (const b of data) if (b === 0) zeros++
  gas += BigInt(zeros) * 4n + BigInt(data.length - zeros) * 16n
  if (tx.to === null) gas += 32000n + 2n * BigInt(Math.ceil(data.length / 32))
  for (const entry of tx.accessList) gas += 2400n + 1900n * BigInt(entry.storageKeys.length)
  gas += 25000n * BigInt(tx.authorizations)
  return gas
}

export function txGasUsed(tx: DecodedTx): bigint {
  const intrinsic = intrinsicGas(tx)
  return tx.gas < intrinsic ? tx.gas : intrinsic
}

/** The priority fee per gas a transaction pays at `baseFee` (0 for deposits, negative when underpriced). */
export function effectiveTip(tx: DecodedTx, baseFee: bigint): bigint {
  if (tx.type === DEPOSIT_TX_TYPE) return 0n
  const headroom = tx.maxFeePerGas - baseFee
  return tx.maxPriorityFeePerGas < headroom ? tx.maxPriorityFeePerGas : headroom
}

export type ExecEnv = {
  parentStateRoot: Hex
  feeRecipient: Hex
  parentBeaconBlockRoot: Hex
  timestamp: bigint
  baseFee: bigint
  gasLimit: bigint
}

export type ExecResult = {
  gasUsed: bigint
  stateRoot: Hex
  receiptsRoot: Hex
  logsBloom: Hex
  blockValue: bigint
}

/** A transaction the block cannot contain; `index` is its position. */
export class TxApplyError extends Error {
  override name = 'TxApplyError'
  readonly index: number
  readonly hash: Hex
  constructor(index: number, hash: Hex, reason: string) {
    super(`could not apply tx ${index} [${hash}]: ${reason}`)
    this.index = index
    this.hash = hash
  }
}

/** Whether `tx` can be applied with `gasLeft` gas at `baseFee`; the reason when not. */
export function applyError(tx: DecodedTx, gasLeft: bigint, baseFee: bigint): string | undefined {
  if (tx.gas > gasLeft) return `gas limit reached`
  if (tx.type !== DEPOSIT_TX_TYPE && tx.maxFeePerGas < baseFee)
    return `max fee per gas less than block base fee: maxFeePerGas: ${tx.maxFeePerGas}, baseFee: ${baseFee}`
  return undefined
}

export function simStateRoot(
  env: Pick<ExecEnv, 'parentStateRoot' | 'feeRecipient' | 'parentBeaconBlockRoot' | 'timestamp'>,
  txHashes: readonly Hex[],
): Hex {
  const list = new Uint8Array(32 * txHashes.length)
  for (const [i, h] of txHashes.entries()) list.set(hexToBytes(h), 32 * i)
  const time = new Uint8Array(8)
  new DataView(time.buffer).setBigUint64(0, env.timestamp)
  const pre = new Uint8Array(32 + 32 + 20 + 32 + 8)
  pre.set(hexToBytes(env.parentStateRoot), 0)
  pre.set(keccak256(list), 32)
  pre.set(hexToBytes(env.feeRecipient), 64)
  pre.set(hexToBytes(env.parentBeaconBlockRoot), 84)
  pre.set(time, 116)
  return bytesToHex(keccak256(pre))
}

/** Runs the documented rules over an ordered transaction list; throws TxApplyError on a refused one. */
export function executeTxs(env: ExecEnv, txs: readonly DecodedTx[]): ExecResult {
  let cumulative = 0n
  let value = 0n
  const receipts: Uint8Array[] = []
  txs.forEach((tx, i) => {
    const refused = applyError(tx, env.gasLimit - cumulative, env.baseFee)
    if (refused) throw new TxApplyError(i, tx.hash, refused)
    const used = txGasUsed(tx)
    cumulative += used
    if (tx.type !== DEPOSIT_TX_TYPE) value += used * effectiveTip(tx, env.baseFee)
    const body = rlpEncode([Uint8Array.of(1), scalarBytes(cumulative), ZERO_BLOOM_BYTES, []])
    if (tx.type === 0) receipts.push(body)
    else {
      const typed = new Uint8Array(body.length + 1)
      typed[0] = tx.type
      typed.set(body, 1)
      receipts.push(typed)
    }
  })
  return {
    gasUsed: cumulative,
    stateRoot: simStateRoot(
      env,
      txs.map((t) => t.hash),
    ),
    receiptsRoot: orderedTrieRoot(receipts),
    logsBloom: ZERO_BLOOM,
    blockValue: value,
  }
}
