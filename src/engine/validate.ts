import { isHex } from '../util/hex.js'
import type { ExecutionPayloadV3, ForkchoiceStateV1, Hex, PayloadAttributesV3, WithdrawalV1 } from './types.js'

/**
 * Shape checks for Engine API objects arriving from the network: every field present with the
 * right hex form, nothing coerced. Each parser returns a fresh object with only the known fields
 * (so stray keys never travel further) or throws TypeError naming the first bad field.
 */

const QUANTITY = /^0x(0|[1-9a-fA-F][0-9a-fA-F]{0,63})$/

function obj(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`${what}: expected an object`)
  return v as Record<string, unknown>
}
function data(o: Record<string, unknown>, key: string, what: string, bytes?: number): Hex {
  const v = o[key]
  if (!isHex(v, bytes))
    throw new TypeError(`${what}.${key}: expected ${bytes === undefined ? 'hex data' : `${bytes} bytes of hex`}`)
  return v
}
function quantity(o: Record<string, unknown>, key: string, what: string): Hex {
  const v = o[key]
  if (typeof v !== 'string' || !QUANTITY.test(v)) throw new TypeError(`${what}.${key}: expected a quantity`)
  return v as Hex
}
function dataList(v: unknown, what: string, bytes?: number): Hex[] {
  if (!Array.isArray(v)) throw new TypeError(`${what}: expected an array`)
  return v.map((x, i) => {
    if (!isHex(x, bytes)) throw new TypeError(`${what}[${i}]: expected hex data`)
    return x
  })
}

export function parseWithdrawals(v: unknown, what: string): WithdrawalV1[] {
  if (!Array.isArray(v)) throw new TypeError(`${what}: expected an array`)
  return v.map((x, i) => {
    const w = obj(x, `${what}[${i}]`)
    const at = `${what}[${i}]`
    return {
      index: quantity(w, 'index', at),
      validatorIndex: quantity(w, 'validatorIndex', at),
      address: data(w, 'address', at, 20),
      amount: quantity(w, 'amount', at),
    }
  })
}

/** ExecutionPayloadV3, plus `withdrawalsRoot` when present (OP Isthmus). */
export function parseExecutionPayload(v: unknown, what = 'executionPayload'): ExecutionPayloadV3 {
  const o = obj(v, what)
  const p: ExecutionPayloadV3 = {
    parentHash: data(o, 'parentHash', what, 32),
    feeRecipient: data(o, 'feeRecipient', what, 20),
    stateRoot: data(o, 'stateRoot', what, 32),
    receiptsRoot: data(o, 'receiptsRoot', what, 32),
    logsBloom: data(o, 'logsBloom', what, 256),
    prevRandao: data(o, 'prevRandao', what, 32),
    blockNumber: quantity(o, 'blockNumber', what),
    gasLimit: quantity(o, 'gasLimit', what),
    gasUsed: quantity(o, 'gasUsed', what),
    timestamp: quantity(o, 'timestamp', what),
    extraData: data(o, 'extraData', what),
    baseFeePerGas: quantity(o, 'baseFeePerGas', what),
    blockHash: data(o, 'blockHash', what, 32),
    transactions: dataList(o.transactions, `${what}.transactions`),
    withdrawals: parseWithdrawals(o.withdrawals, `${what}.withdrawals`),
    blobGasUsed: quantity(o, 'blobGasUsed', what),
    excessBlobGas: quantity(o, 'excessBlobGas', what),
  }
  if ((p.extraData.length - 2) / 2 > 32) throw new TypeError(`${what}.extraData: longer than 32 bytes`)
  if (o.withdrawalsRoot !== undefined && o.withdrawalsRoot !== null)
    p.withdrawalsRoot = data(o, 'withdrawalsRoot', what, 32)
  return p
}

/** OP PayloadAttributesV3; optional fields keep `null` / absence as sent. */
export function parsePayloadAttributes(v: unknown, what = 'payloadAttributes'): PayloadAttributesV3 {
  const o = obj(v, what)
  const a: PayloadAttributesV3 = {
    timestamp: quantity(o, 'timestamp', what),
    prevRandao: data(o, 'prevRandao', what, 32),
    suggestedFeeRecipient: data(o, 'suggestedFeeRecipient', what, 20),
    withdrawals: parseWithdrawals(o.withdrawals, `${what}.withdrawals`),
    parentBeaconBlockRoot: data(o, 'parentBeaconBlockRoot', what, 32),
  }
  if (o.transactions !== undefined)
    a.transactions = o.transactions === null ? null : dataList(o.transactions, `${what}.transactions`)
  if (o.noTxPool !== undefined) {
    if (o.noTxPool !== null && typeof o.noTxPool !== 'boolean')
      throw new TypeError(`${what}.noTxPool: expected a boolean`)
    a.noTxPool = o.noTxPool as boolean | null
  }
  if (o.gasLimit !== undefined) a.gasLimit = o.gasLimit === null ? null : quantity(o, 'gasLimit', what)
  if (o.eip1559Params !== undefined)
    a.eip1559Params = o.eip1559Params === null ? null : data(o, 'eip1559Params', what, 8)
  if (o.minBaseFee !== undefined) a.minBaseFee = o.minBaseFee === null ? null : quantity(o, 'minBaseFee', what)
  return a
}

export function parseForkchoiceState(v: unknown, what = 'forkchoiceState'): ForkchoiceStateV1 {
  const o = obj(v, what)
  return {
    headBlockHash: data(o, 'headBlockHash', what, 32),
    safeBlockHash: data(o, 'safeBlockHash', what, 32),
    finalizedBlockHash: data(o, 'finalizedBlockHash', what, 32),
  }
}

/** A list of 32-byte hashes or other DATA items (expectedBlobVersionedHashes, executionRequests). */
export function parseDataList(v: unknown, what: string, bytes?: number): Hex[] {
  return dataList(v, what, bytes)
}
