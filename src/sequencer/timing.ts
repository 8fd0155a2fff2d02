/**
 * When a job's block is sealed and when builders must have submitted, in unix ms.
 * Proxy mode: op-node seals at the payload timestamp minus its sealing lead (50 ms,
 * op-node/rollup/sequencing sealingDuration), and builders get the validation budget less
 * so a block submitted by the deadline is validated before op-node asks for it.
 */
export type JobTiming = { sealAt: number; deadline: number; noticeAt: number }

export type TimingOptions = { sealLeadMs: number; validationBudgetMs: number; noticeMs: number }

export function proxyTiming(attributesTimestampS: bigint | number, o: TimingOptions): JobTiming {
  const sealAt = Number(attributesTimestampS) * 1000 - o.sealLeadMs
  return fromSeal(sealAt, o)
}

/**
 * Standalone mode: our clock owns the slot. A slot that ends at `slotEnd` is sealed `sealLeadMs`
 * before it so forkchoice and publication fit inside the slot.
 */
export function standaloneTiming(slotEnd: number, o: TimingOptions): JobTiming {
  return fromSeal(slotEnd - o.sealLeadMs, o)
}

function fromSeal(sealAt: number, o: TimingOptions): JobTiming {
  const deadline = sealAt - o.validationBudgetMs
  return { sealAt, deadline, noticeAt: deadline - o.noticeMs }
}

/**
 * The payload timestamp (seconds) for a standalone slot: the slot end in seconds, but always past
 * the parent (sub-second test block times then run ahead of the wall clock, one second per block).
 */
export function standaloneTimestamp(parentTimestampS: bigint, slotEnd: number): bigint {
  const byClock = BigInt(Math.round(slotEnd / 1000))
  return byClock > parentTimestampS ? byClock : parentTimestampS + 1n
}
