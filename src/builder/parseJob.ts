import { InvalidParamsError } from '../errors/index.js'
import type { StartBuildingParams } from '../pbs/index.js'

export const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/** A job from builder_startBuilding, checked enough that building on it cannot throw later. */
export function parseJob(p: unknown): StartBuildingParams {
  if (
    !isObj(p) ||
    typeof p.jobId !== 'string' ||
    !isObj(p.parent) ||
    typeof p.parent.hash !== 'string' ||
    !isObj(p.attributes) ||
    typeof p.attributes.timestamp !== 'string' ||
    typeof p.deadline !== 'number' ||
    (p.engineVersion !== 3 && p.engineVersion !== 4)
  ) {
    throw new InvalidParamsError(
      'builder_startBuilding expects {jobId, parent: {hash, number, timestamp}, attributes, deadline, engineVersion}',
    )
  }
  return p as unknown as StartBuildingParams
}
