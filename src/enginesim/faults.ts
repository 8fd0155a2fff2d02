import type { PayloadStatus } from '../engine/types.js'
import { InvalidParamsError } from '../errors/index.js'
import { parseDuration } from '../util/duration.js'

/**
 * Fault injection, set by flags at start and by `sim_setFaults` at run time:
 *   latencyMs     delay before every engine_ call is handled
 *   failRate      probability (0..1) that engine_newPayload answers INVALID
 *   invalidEvery  every Nth engine_newPayload answers INVALID (0 = never)
 *   errorMethods  these methods answer -32603 internal error
 *   forceStatus   engine_newPayload answers this status for every block it would find VALID
 */
export type Faults = {
  latencyMs: number
  failRate: number
  invalidEvery: number
  errorMethods: string[]
  forceStatus: Exclude<PayloadStatus, 'VALID'> | null
}

export const NO_FAULTS: Faults = { latencyMs: 0, failRate: 0, invalidEvery: 0, errorMethods: [], forceStatus: null }

const STATUSES = ['INVALID', 'SYNCING', 'ACCEPTED', 'INVALID_BLOCK_HASH'] as const

/** Applies a sim_setFaults patch (only the keys given change); throws InvalidParamsError on bad values. */
export function patchFaults(current: Faults, patch: unknown): Faults {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
    throw new InvalidParamsError('sim_setFaults expects an object')
  const p = patch as Record<string, unknown>
  const next: Faults = { ...current, errorMethods: [...current.errorMethods] }
  for (const key of Object.keys(p)) {
    const v = p[key]
    switch (key) {
      case 'latency':
      case 'latencyMs':
        try {
          next.latencyMs = parseDuration(v as string | number)
        } catch (err) {
          throw new InvalidParamsError(`latency: ${(err as Error).message}`)
        }
        break
      case 'failRate':
        if (typeof v !== 'number' || !(v >= 0 && v <= 1))
          throw new InvalidParamsError('failRate must be a number in 0..1')
        next.failRate = v
        break
      case 'invalidEvery':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
          throw new InvalidParamsError('invalidEvery must be a non-negative integer')
        next.invalidEvery = v
        break
      case 'errorMethods':
        if (!Array.isArray(v) || !v.every((m) => typeof m === 'string'))
          throw new InvalidParamsError('errorMethods must be an array of method names')
        next.errorMethods = [...v]
        break
      case 'forceStatus':
        if (v !== null && !STATUSES.includes(v as (typeof STATUSES)[number]))
          throw new InvalidParamsError(`forceStatus must be null or one of ${STATUSES.join(', ')}`)
        next.forceStatus = v as Faults['forceStatus']
        break
      default:
        throw new InvalidParamsError(`unknown fault "${key}"`)
    }
  }
  return next
}
