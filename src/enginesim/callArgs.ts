import type { Hex } from '../engine/types.js'
import { InvalidParamsError } from '../errors/index.js'
import type { AccountOverride, CallMsg, StateOverride } from '../evm/index.js'
import { isHex, quantityToBigInt } from '../util/hex.js'
import { viemUtils } from '../util/lazyViem.js'
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

const U64_MAX = (1n << 64n) - 1n
const U256_MAX = (1n << 256n) - 1n

function slots(v: unknown, what: string): Record<Hex, Hex> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new InvalidParamsError(`${what}: expected an object of 32-byte slot: 32-byte value`)
  const out: Record<Hex, Hex> = {}
  for (const [k, val] of Object.entries(v)) {
    if (!isHex(k, 32) || !isHex(val, 32))
      throw new InvalidParamsError(`${what}: expected 32-byte hex slots and values, got ${k.slice(0, 80)}`)
    out[k.toLowerCase() as Hex] = (val as string).toLowerCase() as Hex
  }
  return out
}

/**
 * eth_call / eth_estimateGas's state override (geth's StateOverride: address → {balance, nonce,
 * code, state, stateDiff}); a malformed one is -32602 naming the field, `state` and `stateDiff`
 * together geth's -32000 `account <address> has both 'state' and 'stateDiff'`. geth's
 * `movePrecompileToAddress` is not supported (-32602). Unknown fields are ignored, as geth's JSON decoding does.
 */
export function parseStateOverride(v: unknown): StateOverride | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v)) throw new InvalidParamsError('state override: expected an object')
  const out = new Map<Hex, AccountOverride>()
  // geth applies them in address order: the first bad account is the one named.
  for (const key of Object.keys(v).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))) {
    const a = address(key, 'state override key')!
    const o = (v as Record<string, unknown>)[key]
    if (typeof o !== 'object' || o === null || Array.isArray(o))
      throw new InvalidParamsError(`state override ${a}: expected an object`)
    const f = o as Record<string, unknown>
    if (f.movePrecompileToAddress !== undefined && f.movePrecompileToAddress !== null)
      throw new InvalidParamsError('state override: movePrecompileToAddress is not supported')
    const acct: AccountOverride = {}
    const nonce = quantity(f.nonce, `state override ${a} nonce`)
    if (nonce !== undefined) {
      if (nonce > U64_MAX) throw new InvalidParamsError(`state override ${a} nonce: above 2^64-1`)
      acct.nonce = nonce
    }
    const balance = quantity(f.balance, `state override ${a} balance`)
    if (balance !== undefined) {
      if (balance > U256_MAX) throw new InvalidParamsError(`state override ${a} balance: above 2^256-1`)
      acct.balance = balance
    }
    if (f.code !== undefined && f.code !== null) {
      if (!isHex(f.code)) throw new InvalidParamsError(`state override ${a} code: expected hex bytes`)
      acct.code = f.code as Hex
    }
    const hasState = f.state !== undefined && f.state !== null
    const hasDiff = f.stateDiff !== undefined && f.stateDiff !== null
    if (hasState) acct.state = slots(f.state, `state override ${a} state`)
    if (hasDiff) acct.stateDiff = slots(f.stateDiff, `state override ${a} stateDiff`)
    if (hasState && hasDiff)
      throw new EthServerError(`account ${viemUtils().getAddress(a)} has both 'state' and 'stateDiff'`)
    out.set(a, acct)
  }
  return out
}
