import { newPayloadRequest } from '../engine/newPayload.js'
import type { RpcClient } from '../rpc/client.js'
import type { ValidationResult, Validator } from './job.js'

/**
 * Validates candidates with engine_newPayloadV3/V4 on `engine` (the client reserved for builder
 * blocks: its own sockets, off op-node's path).
 */
export function engineValidator(engine: RpcClient): Validator {
  return async (c, job, signal): Promise<ValidationResult> => {
    // The seal aborts the job's signal; past it, an answer can no longer be used.
    const r = await engine.call<{ status?: string; validationError?: string | null }>(
      ...newPayloadRequest(job.engineVersion, c.submission),
      signal,
    )
    const status = r?.status
    if (
      status === 'VALID' ||
      status === 'INVALID' ||
      status === 'SYNCING' ||
      status === 'ACCEPTED' ||
      status === 'INVALID_BLOCK_HASH'
    )
      return { status }
    return { status: 'error', error: `unexpected newPayload status ${JSON.stringify(status)}` }
  }
}
