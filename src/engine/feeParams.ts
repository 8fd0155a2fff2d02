import { bytesToHex, hexToBytes } from '../util/hex.js'
import { type Fork, forkAtLeast } from './fork.js'
import type { Hex } from './types.js'

/**
 * EIP-1559 parameters in OP headers: from Holocene the block's extraData carries
 * 0x00 ‖ denominator u32 ‖ elasticity u32 (9 bytes); from Jovian 0x01 ‖ … ‖ minBaseFee u64 (17 bytes)
 * (specs/protocol/holocene/exec-engine.md, jovian/exec-engine.md). The base fee of a block uses
 * its parent's parameters. Zero attribute params mean the chain defaults (Canyon: 250 / 6).
 */
export const DEFAULT_DENOMINATOR = 250n
export const DEFAULT_ELASTICITY = 6n

export type FeeParams = { denominator: bigint; elasticity: bigint; minBaseFee: bigint }

/** The extraData a block built from these attributes carries; throws TypeError on bad params. */
export function extraDataFor(
  fork: Fork,
  eip1559Params: Hex | null | undefined,
  minBaseFee: bigint | null | undefined,
): Hex {
  if (!forkAtLeast(fork, 'holocene')) return '0x'
  const p = hexToBytes(eip1559Params ?? '0x')
  if (p.length !== 8) throw new TypeError('eip1559Params must be 8 bytes')
  const view = new DataView(p.buffer, p.byteOffset, 8)
  let denominator = view.getUint32(0)
  let elasticity = view.getUint32(4)
  if (denominator === 0 && elasticity !== 0)
    throw new TypeError('eip1559Params: zero denominator with non-zero elasticity')
  if (denominator === 0) {
    denominator = Number(DEFAULT_DENOMINATOR)
    elasticity = Number(DEFAULT_ELASTICITY)
  }
  const jovian = forkAtLeast(fork, 'jovian')
  const out = new Uint8Array(jovian ? 17 : 9)
  const w = new DataView(out.buffer)
  out[0] = jovian ? 1 : 0
  w.setUint32(1, denominator)
  w.setUint32(5, elasticity)
  if (jovian) w.setBigUint64(9, minBaseFee ?? 0n)
  return bytesToHex(out)
}

/** Why a block's extraData is invalid for the fork, or undefined. */
export function extraDataError(fork: Fork, extraData: Hex): string | undefined {
  const b = hexToBytes(extraData)
  if (!forkAtLeast(fork, 'holocene')) return b.length === 0 ? undefined : 'extraData must be empty before Holocene'
  const jovian = forkAtLeast(fork, 'jovian')
  if (b.length !== (jovian ? 17 : 9) || b[0] !== (jovian ? 1 : 0))
    return `invalid ${jovian ? 'Jovian' : 'Holocene'} extraData ${extraData}`
  if (new DataView(b.buffer, b.byteOffset, b.length).getUint32(1) === 0)
    return 'extraData encodes a zero EIP-1559 denominator'
  return undefined
}

/** Parameters a block's extraData sets for its child's base fee (defaults when it encodes none). */
export function feeParamsOf(fork: Fork, extraData: Hex): FeeParams {
  const b = hexToBytes(extraData)
  if (!forkAtLeast(fork, 'holocene') || extraDataError(fork, extraData))
    return { denominator: DEFAULT_DENOMINATOR, elasticity: DEFAULT_ELASTICITY, minBaseFee: 0n }
  const v = new DataView(b.buffer, b.byteOffset, b.length)
  return {
    denominator: BigInt(v.getUint32(1)),
    elasticity: BigInt(v.getUint32(5)),
    minBaseFee: b.length === 17 ? v.getBigUint64(9) : 0n,
  }
}

/** EIP-1559 base fee of the child of `parent` (geth's CalcBaseFee), clamped to Jovian's minimum. */
export function nextBaseFee(
  fork: Fork,
  parent: { gasLimit: bigint; gasUsed: bigint; baseFee: bigint; extraData: Hex },
): bigint {
  const { denominator, elasticity, minBaseFee } = feeParamsOf(fork, parent.extraData)
  const target = elasticity === 0n ? parent.gasLimit : parent.gasLimit / elasticity
  let fee = parent.baseFee
  if (target > 0n && parent.gasUsed > target) {
    const delta = (parent.baseFee * (parent.gasUsed - target)) / target / denominator
    fee = parent.baseFee + (delta > 1n ? delta : 1n)
  } else if (target > 0n && parent.gasUsed < target) {
    const delta = (parent.baseFee * (target - parent.gasUsed)) / target / denominator
    fee = parent.baseFee > delta ? parent.baseFee - delta : 0n
  }
  return fee < minBaseFee ? minBaseFee : fee
}
