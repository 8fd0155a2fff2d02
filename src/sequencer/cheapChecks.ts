import { computeBlockHash } from '../engine/blockHash.js'
import type { ExecutionPayloadV3, Hex, PayloadAttributesV3, WithdrawalV1 } from '../engine/types.js'
import type { EngineVersion, ParentRef, Submission } from '../pbs/index.js'
import type { RejectionReason } from '../pbs/reasons.js'
import { isHex } from '../util/hex.js'
import type { ExtraDataRule, Job, JobExpectations } from './types.js'

/**
 * The synchronous checks a submission passes before it may cost an engine call: its shape, then
 * every header field the job's attributes pin, then the block hash recomputed from the header
 * (transactions root included). Pure: no clock, no I/O.
 */

const QTY = /^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/
const isQty = (v: unknown): v is Hex => typeof v === 'string' && QTY.test(v)

const PAYLOAD_FIELDS: readonly [keyof ExecutionPayloadV3, (v: unknown) => boolean][] = [
  ['parentHash', (v) => isHex(v, 32)],
  ['feeRecipient', (v) => isHex(v, 20)],
  ['stateRoot', (v) => isHex(v, 32)],
  ['receiptsRoot', (v) => isHex(v, 32)],
  ['logsBloom', (v) => isHex(v, 256)],
  ['prevRandao', (v) => isHex(v, 32)],
  ['blockNumber', isQty],
  ['gasLimit', isQty],
  ['gasUsed', isQty],
  ['timestamp', isQty],
  ['extraData', (v) => isHex(v) && (v as string).length <= 2 + 64],
  ['baseFeePerGas', isQty],
  ['blockHash', (v) => isHex(v, 32)],
  ['blobGasUsed', isQty],
  ['excessBlobGas', isQty],
]

function isWithdrawal(w: unknown): w is WithdrawalV1 {
  if (w === null || typeof w !== 'object') return false
  const o = w as Record<string, unknown>
  return isQty(o.index) && isQty(o.validatorIndex) && isHex(o.address, 20) && isQty(o.amount)
}

/** The typed submission, or the name of the first malformed field. */
export function parseSubmission(params: unknown): Submission | { malformed: string } {
  if (params === null || typeof params !== 'object' || Array.isArray(params))
    return { malformed: 'params[0] must be an object' }
  const o = params as Record<string, unknown>
  if (!isHex(o.jobId) || o.jobId.length < 4 || o.jobId.length > 66) return { malformed: 'jobId' }
  const p = o.executionPayload
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return { malformed: 'executionPayload' }
  const payload = p as Record<string, unknown>
  for (const [name, ok] of PAYLOAD_FIELDS) if (!ok(payload[name])) return { malformed: `executionPayload.${name}` }
  if (!Array.isArray(payload.transactions) || !payload.transactions.every((t) => isHex(t) && t.length > 2))
    return { malformed: 'executionPayload.transactions' }
  if (!Array.isArray(payload.withdrawals) || !payload.withdrawals.every(isWithdrawal))
    return { malformed: 'executionPayload.withdrawals' }
  if (payload.withdrawalsRoot !== undefined && payload.withdrawalsRoot !== null && !isHex(payload.withdrawalsRoot, 32))
    return { malformed: 'executionPayload.withdrawalsRoot' }
  if (!isHex(o.parentBeaconBlockRoot, 32)) return { malformed: 'parentBeaconBlockRoot' }
  if (!isQty(o.blockValue)) return { malformed: 'blockValue' }
  const reqs = o.executionRequests
  if (reqs !== undefined && reqs !== null && (!Array.isArray(reqs) || !reqs.every((r) => isHex(r))))
    return { malformed: 'executionRequests' }
  // Rebuilt field by field: the stored candidate holds nothing the builder added beyond the schema.
  const executionPayload: ExecutionPayloadV3 = {
    parentHash: payload.parentHash as Hex,
    feeRecipient: payload.feeRecipient as Hex,
    stateRoot: payload.stateRoot as Hex,
    receiptsRoot: payload.receiptsRoot as Hex,
    logsBloom: payload.logsBloom as Hex,
    prevRandao: payload.prevRandao as Hex,
    blockNumber: payload.blockNumber as Hex,
    gasLimit: payload.gasLimit as Hex,
    gasUsed: payload.gasUsed as Hex,
    timestamp: payload.timestamp as Hex,
    extraData: payload.extraData as Hex,
    baseFeePerGas: payload.baseFeePerGas as Hex,
    blockHash: payload.blockHash as Hex,
    transactions: payload.transactions as Hex[],
    withdrawals: (payload.withdrawals as WithdrawalV1[]).map((w) => ({
      index: w.index,
      validatorIndex: w.validatorIndex,
      address: w.address,
      amount: w.amount,
    })),
    blobGasUsed: payload.blobGasUsed as Hex,
    excessBlobGas: payload.excessBlobGas as Hex,
  }
  if (typeof payload.withdrawalsRoot === 'string') executionPayload.withdrawalsRoot = payload.withdrawalsRoot as Hex
  const sub: Submission = {
    jobId: o.jobId,
    executionPayload,
    parentBeaconBlockRoot: o.parentBeaconBlockRoot,
    blockValue: o.blockValue,
  }
  if (Array.isArray(reqs)) sub.executionRequests = reqs as Hex[]
  const seq = o.sequence
  if (seq !== undefined && seq !== null) {
    if (isQty(seq)) sub.sequence = BigInt(seq as string)
    else if (typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0) sub.sequence = BigInt(seq)
    else return { malformed: 'sequence' }
  }
  return sub
}

const withdrawalsKey = (ws: readonly WithdrawalV1[]) =>
  ws
    .map((w) => `${BigInt(w.index)}/${BigInt(w.validatorIndex)}/${w.address.toLowerCase()}/${BigInt(w.amount)}`)
    .join(';')

const ZERO_PARAMS = /^0x0{16}$/

/** How extraData must look for these attributes (holocene/exec-engine.md, jovian/exec-engine.md). */
export function extraDataRule(attributes: PayloadAttributesV3): ExtraDataRule {
  const params = attributes.eip1559Params
  if (params === undefined || params === null) return { kind: 'any' }
  const minBaseFee = attributes.minBaseFee
  const jovian = minBaseFee !== undefined && minBaseFee !== null
  const mbf = jovian ? BigInt(minBaseFee).toString(16).padStart(16, '0') : ''
  // Zero params mean "the chain's defaults", which only the engine's chain config knows.
  if (ZERO_PARAMS.test(params))
    return jovian ? { kind: 'jovian-default', minBaseFee: mbf } : { kind: 'holocene-default' }
  return {
    kind: 'exact',
    value: jovian ? `0x01${params.slice(2).toLowerCase()}${mbf}` : `0x00${params.slice(2).toLowerCase()}`,
  }
}

function extraDataOk(rule: ExtraDataRule, extra: string): boolean {
  const x = extra.toLowerCase()
  switch (rule.kind) {
    case 'any':
      return true
    case 'exact':
      return x === rule.value
    case 'holocene-default':
      return x.length === 2 + 18 && x.startsWith('0x00') && !/^0x0{18}$/.test(x)
    case 'jovian-default':
      return (
        x.length === 2 + 34 &&
        x.startsWith('0x01') &&
        x.slice(20) === rule.minBaseFee &&
        x.slice(4, 20) !== '0'.repeat(16)
      )
  }
}

/** Everything the cheap checks compare, parsed once per job. */
export function jobExpectations(parent: ParentRef, attributes: PayloadAttributesV3): JobExpectations {
  return {
    parentHash: parent.hash.toLowerCase(),
    number: BigInt(parent.number) + 1n,
    timestamp: BigInt(attributes.timestamp),
    prevRandao: attributes.prevRandao.toLowerCase(),
    feeRecipient: attributes.suggestedFeeRecipient.toLowerCase(),
    gasLimit:
      attributes.gasLimit === undefined || attributes.gasLimit === null ? undefined : BigInt(attributes.gasLimit),
    parentBeaconBlockRoot: attributes.parentBeaconBlockRoot.toLowerCase(),
    forced: (attributes.transactions ?? []).map((t) => t.toLowerCase()),
    extraData: extraDataRule(attributes),
    withdrawalsJson: withdrawalsKey(attributes.withdrawals),
  }
}

export type CheapCheckLimits = {
  maxTxs: number
  /** Largest uncompressed block in bytes (--max-submission-bytes; op-reth/op-rbuilder --*.max-uncompressed-block-size). */
  maxBlockBytes?: number
}

/** Bytes of the header fields of a payload as RLP-encoded, at most (15 fields, ~600 B with a 32-byte extraData). */
const HEADER_BYTES = 700

/**
 * Submission vs job, every field the attributes pin (the block hash aside): undefined when all
 * match, else the first failing reason. Cheapest checks first.
 */
export function checkFields(
  sub: Submission,
  job: Pick<Job, 'expect' | 'engineVersion'>,
  limits: CheapCheckLimits,
): RejectionReason | undefined {
  const p = sub.executionPayload
  const e = job.expect
  const v4 = job.engineVersion === 4
  if (v4 !== (p.withdrawalsRoot !== undefined)) return 'wrong_payload_version'
  if (p.parentHash.toLowerCase() !== e.parentHash) return 'wrong_parent_hash'
  if (BigInt(p.blockNumber) !== e.number) return 'wrong_block_number'
  if (BigInt(p.timestamp) !== e.timestamp) return 'wrong_timestamp'
  if (p.prevRandao.toLowerCase() !== e.prevRandao) return 'wrong_prev_randao'
  if (p.feeRecipient.toLowerCase() !== e.feeRecipient) return 'wrong_fee_recipient'
  const gasLimit = BigInt(p.gasLimit)
  if (e.gasLimit !== undefined && gasLimit !== e.gasLimit) return 'wrong_gas_limit'
  if (!extraDataOk(e.extraData, p.extraData)) return 'wrong_extra_data'
  if (withdrawalsKey(p.withdrawals) !== e.withdrawalsJson) return 'wrong_withdrawals'
  if (sub.parentBeaconBlockRoot.toLowerCase() !== e.parentBeaconBlockRoot) return 'wrong_parent_beacon_block_root'
  if (sub.executionRequests !== undefined && sub.executionRequests.length > 0) return 'bad_execution_requests'
  if (p.transactions.length > limits.maxTxs) return 'too_many_transactions'
  if (limits.maxBlockBytes !== undefined) {
    // The block's own size, not the request's: a compressed or compactly encoded request may carry
    // a block the engine and the batcher would have to take whole. Hex text is 2 characters a byte.
    let bytes = HEADER_BYTES + (p.extraData.length - 2) / 2
    for (const t of p.transactions) bytes += (t.length - 2) / 2
    if (bytes > limits.maxBlockBytes) return 'block_too_large'
  }
  if (p.transactions.length < e.forced.length) return 'missing_forced_transactions'
  for (let i = 0; i < e.forced.length; i++)
    if (p.transactions[i]!.toLowerCase() !== e.forced[i]) return 'missing_forced_transactions'
  if (BigInt(p.gasUsed) > gasLimit) return 'gas_used_exceeds_limit'
  return undefined
}

/** keccak(rlp(header)) of the submission (transactions trie included), lower-case; undefined when the header cannot be encoded. */
export function submissionBlockHash(sub: Submission, v4: boolean): Hex | undefined {
  try {
    return computeBlockHash(sub.executionPayload, sub.parentBeaconBlockRoot, v4 ? [] : undefined)
  } catch {
    return undefined
  }
}

/**
 * All cheap checks in one pure call: the fields, then the block hash recomputed from the header
 * (the most expensive check, so last). undefined when the submission may be validated.
 */
export function cheapCheck(
  sub: Submission,
  job: Pick<Job, 'expect' | 'engineVersion'>,
  limits: CheapCheckLimits,
): RejectionReason | undefined {
  const failed = checkFields(sub, job, limits)
  if (failed) return failed
  const hash = submissionBlockHash(sub, job.engineVersion === 4)
  return hash === sub.executionPayload.blockHash.toLowerCase() ? undefined : 'bad_block_hash'
}

/** Which engine version a payload has: V4 (Isthmus) payloads carry withdrawalsRoot. */
export function payloadVersion(p: ExecutionPayloadV3): EngineVersion {
  return p.withdrawalsRoot === undefined ? 3 : 4
}
