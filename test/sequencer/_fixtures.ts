import { computeBlockHash } from '../../src/engine/blockHash.js'
import type { ExecutionPayloadV3, Hex, PayloadAttributesV3 } from '../../src/engine/types.js'
import type { EngineVersion, Submission } from '../../src/pbs/index.js'
import { createJob } from '../../src/sequencer/job.js'
import type { Candidate, Job } from '../../src/sequencer/types.js'

export const h32 = (b: number): Hex => `0x${b.toString(16).padStart(2, '0').repeat(32)}`

export function attributes(over: Partial<PayloadAttributesV3> = {}): PayloadAttributesV3 {
  return {
    timestamp: '0x6870a1b2',
    prevRandao: h32(0x5c),
    suggestedFeeRecipient: '0x4200000000000000000000000000000000000011',
    withdrawals: [],
    parentBeaconBlockRoot: h32(0x9d),
    transactions: ['0x7ef8f8a0aa', '0x7ef8f8a0bb'],
    noTxPool: false,
    gasLimit: '0x1c9c380',
    eip1559Params: '0x000000fa00000006',
    minBaseFee: null,
    ...over,
  }
}

export function job(version: EngineVersion = 3, attrs = attributes(), now = 1_000_000): Job {
  return createJob({
    parent: { hash: h32(0xab), number: '0x10', timestamp: '0x6870a1b0' },
    attributes: attrs,
    deadline: now + 1000,
    sealAt: now + 1150,
    engineVersion: version,
    payloadId: '0x0300000000000001',
    now,
  })
}

/** A payload that passes every cheap check for `j`; `over` changes fields and the hash is recomputed unless `keepHash`. */
export function payloadFor(
  j: Job,
  over: Partial<ExecutionPayloadV3> = {},
  extraTxs: Hex[] = ['0x02aa', '0x02bb'],
): ExecutionPayloadV3 {
  const a = j.attributes
  const p: ExecutionPayloadV3 = {
    parentHash: j.parent.hash,
    feeRecipient: a.suggestedFeeRecipient,
    stateRoot: h32(0x10),
    receiptsRoot: h32(0x11),
    logsBloom: `0x${'00'.repeat(256)}`,
    prevRandao: a.prevRandao,
    blockNumber: `0x${(BigInt(j.parent.number) + 1n).toString(16)}`,
    gasLimit: a.gasLimit ?? '0x1c9c380',
    gasUsed: '0x5208',
    timestamp: a.timestamp,
    extraData: '0x00000000fa00000006',
    baseFeePerGas: '0x3b9aca00',
    blockHash: h32(0),
    transactions: [...(a.transactions ?? []), ...extraTxs],
    withdrawals: [],
    blobGasUsed: '0x0',
    excessBlobGas: '0x0',
    ...(j.engineVersion === 4 ? { withdrawalsRoot: h32(0x12) } : {}),
    ...over,
  }
  return p
}

export function sign(j: Job, p: ExecutionPayloadV3): ExecutionPayloadV3 {
  return {
    ...p,
    blockHash: computeBlockHash(p, j.attributes.parentBeaconBlockRoot, j.engineVersion === 4 ? [] : undefined),
  }
}

export function submission(
  j: Job,
  over: Partial<ExecutionPayloadV3> = {},
  value = '0x64',
  extraTxs?: Hex[],
): Submission {
  return {
    jobId: j.jobId,
    executionPayload: sign(j, payloadFor(j, over, extraTxs)),
    parentBeaconBlockRoot: j.attributes.parentBeaconBlockRoot,
    blockValue: value as Hex,
  }
}

let seq = 0
export function candidate(over: Partial<Candidate> & { builder: string }): Candidate {
  const j = job()
  return {
    submission: submission(j),
    blockHash: h32(++seq % 250),
    blockValue: 100n,
    gasUsed: 21000n,
    engineVersion: 3,
    seq: ++seq,
    receivedAt: 0,
    ...over,
  }
}
