import { InvalidParamsError } from '../errors/index.js'
import { SAFETY_LEVELS, type SafetyLevel } from '../interop/index.js'

/** The minSafety parameter, with op-supervisor's JSON decode error for unknown labels. */
export function parseMinSafety(value: unknown): SafetyLevel {
  if ((SAFETY_LEVELS as readonly unknown[]).includes(value)) return value as SafetyLevel
  throw new InvalidParamsError(
    `unrecognized safety level: ${JSON.stringify(typeof value === 'string' ? value : String(value))}`,
  )
}
