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

export type Slot = { /** unix ms */ end: number /** the payload timestamp, seconds */; timestamp: bigint }

/**
 * The standalone slot an attempt at `nowMs` fills. Slots end on the wall-clock grid
 * `anchorMs + k·blockTimeMs` (the anchor is the head's timestamp at start); this is the first one
 * that ends at least half a block time from now (time to build) and whose end, in whole seconds
 * rounded down, is past the parent's timestamp. That whole-second end is the payload timestamp, so
 * it is never after the slot end: a build started at the slot's start carries a timestamp at most
 * one block time ahead of the wall clock, however many attempts failed before (a failed attempt
 * never moves the clock; only the wall clock does). Payload timestamps have 1 s resolution, so a
 * sub-second block time seals at most one block per second (the slots in between are skipped).
 */
export function nextSlot(anchorMs: number, blockTimeMs: number, nowMs: number, parentTimestampS: bigint): Slot {
  const earliest = Math.max(nowMs + blockTimeMs / 2, Number(parentTimestampS + 1n) * 1000)
  const k = Math.max(1, Math.ceil((earliest - anchorMs) / blockTimeMs))
  const end = anchorMs + k * blockTimeMs
  return { end, timestamp: BigInt(Math.floor(end / 1000)) }
}
