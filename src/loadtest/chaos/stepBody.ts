import { parseDuration } from '../../util/duration.js'
import { LoadtestError } from '../errors.js'
import type { StepContext } from '../scenario.js'

/** The small checks every chaos step kind's body goes through. */
export type Body = Record<string, unknown>

export function object(body: unknown, kind: string, ctx: StepContext): Body {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new LoadtestError(`step ${ctx.index + 1}: "${kind}" must be an object`)
  return body as Body
}

export function keys(b: Body, allowed: string[], kind: string, ctx: StepContext): void {
  for (const k of Object.keys(b))
    if (!allowed.includes(k))
      throw new LoadtestError(`step ${ctx.index + 1}: "${kind}" has unknown key "${k}" (known: ${allowed.join(', ')})`)
}

export function duration(v: unknown, what: string): number {
  try {
    return parseDuration(v as string | number)
  } catch (err) {
    throw new LoadtestError(`${what}: ${(err as Error).message}`)
  }
}

export function rate(v: unknown, what: string): number {
  if (v === undefined) return 0
  if (typeof v !== 'number' || !(v >= 0) || v > 10_000) throw new LoadtestError(`${what}: expected 0..10000 tx/s`)
  return v
}

export function noExpect(expect: readonly string[], kind: string, ctx: StepContext): void {
  if (expect.length > 0)
    throw new LoadtestError(
      `step ${ctx.index + 1}: a "${kind}" step has no figures of its own; put "expect" on the traffic step that stops`,
    )
}
