import type { Hex } from '../engine/types.js'
import { InvalidParamsError } from '../errors/index.js'
import type { CallMsg } from '../evm/index.js'
import { isHex, quantityToBigInt } from '../util/hex.js'
import { EthServerError } from './errors.js'

/** geth's --rpc.gascap default: the gas of a call or an estimate that names none, and the most either may use. */
export const RPC_GAS_CAP = 50_000_000n
const ZERO_ADDRESS: Hex = `0x${'00'.repeat(20)}`

/** The fields of geth's TransactionArgs engine-sim reads; `gas` undefined when the caller named none. */
export type CallArgs = Omit<CallMsg, 'gas'> & { gas: bigint | undefined; feesGiven: boolean }

function quantity(v: unknown, what: string): bigint | undefined {
  if (v === undefined || v === null) return undefined
  try {
    return quantityToBigInt(v)
  } catch {
    throw new InvalidParamsError(`${what}: expected a hex quantity`)
  }
}

function address(v: unknown, what: string): Hex | undefined {
  if (v === undefined || v === null) return undefined
  if (!isHex(v, 20)) throw new InvalidParamsError(`${what}: expected a 20-byte address`)
  return v.toLowerCase() as Hex
}

/**
 * eth_call / eth_estimateGas's transaction object with geth's rules and words: `input` wins over
 * `data` (both and different: refused), `gasPrice` excludes the 1559 fields, a tip above the fee
 * cap is refused, no fees means a zero-priced call.
 */
export function parseCallArgs(v: unknown): CallArgs {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new InvalidParamsError('transaction: expected an object')
  const o = v as Record<string, unknown>
  for (const k of ['data', 'input'] as const)
    if (o[k] !== undefined && o[k] !== null && !isHex(o[k])) throw new InvalidParamsError(`${k}: expected hex bytes`)
  const data = o.data as Hex | undefined | null
  const input = o.input as Hex | undefined | null
  if (data && input && data.toLowerCase() !== input.toLowerCase())
    throw new EthServerError(
      'both "data" and "input" are set and not equal. Please use "input" to pass transaction call data',
    )
  const gasPrice = quantity(o.gasPrice, 'gasPrice')
  const maxFee = quantity(o.maxFeePerGas, 'maxFeePerGas')
  const maxTip = quantity(o.maxPriorityFeePerGas, 'maxPriorityFeePerGas')
  if (gasPrice !== undefined && (maxFee !== undefined || maxTip !== undefined))
    throw new EthServerError('both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified')
  if (maxFee !== undefined && maxTip !== undefined && maxFee < maxTip)
    throw new EthServerError(`maxFeePerGas (${maxFee}) < maxPriorityFeePerGas (${maxTip})`)
  const feeCap = gasPrice ?? maxFee ?? 0n
  const tip = gasPrice ?? maxTip ?? 0n
  const accessList: CallMsg['accessList'] = []
  if (o.accessList !== undefined && o.accessList !== null) {
    if (!Array.isArray(o.accessList)) throw new InvalidParamsError('accessList: expected an array')
    for (const e of o.accessList as unknown[]) {
      const item = e as { address?: unknown; storageKeys?: unknown }
      const a = address(item?.address, 'accessList address')
      const keys = item?.storageKeys ?? []
      if (!a || !Array.isArray(keys) || !keys.every((k) => isHex(k, 32)))
        throw new InvalidParamsError('accessList: expected {address, storageKeys: 32-byte hex[]} entries')
      accessList.push({ address: a, storageKeys: keys as Hex[] })
    }
  }
  return {
    from: address(o.from, 'from') ?? ZERO_ADDRESS,
    to: address(o.to, 'to') ?? null,
    gas: quantity(o.gas, 'gas'),
    feeCap,
    tip: tip > feeCap && gasPrice === undefined && maxFee === undefined ? 0n : tip,
    value: quantity(o.value, 'value') ?? 0n,
    data: (input ?? data ?? '0x') as Hex,
    accessList,
    feesGiven: gasPrice !== undefined || maxFee !== undefined || maxTip !== undefined,
  }
}
