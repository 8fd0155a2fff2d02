import type { AssembledBlock } from './assemble.js'

/** The pbs_submitBlock params object for an assembled block. */
export function submissionOf(b: AssembledBlock): Record<string, unknown> {
  const s: Record<string, unknown> = {
    jobId: b.jobId,
    executionPayload: b.executionPayload,
    parentBeaconBlockRoot: b.parentBeaconBlockRoot,
    blockValue: b.blockValue,
  }
  if (b.executionRequests) s.executionRequests = b.executionRequests
  return s
}
