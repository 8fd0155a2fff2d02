import type { Hex } from '../../interop/index.js'
import { NoVerdictError } from '../errors.js'
import {
  type CheckOutcome,
  DECIDED,
  type ExecutingDescriptor,
  rejection,
  type ValidationStrategy,
  type Verdict,
} from './strategy.js'
import type { SupervisorEndpoint } from './supervisorEndpoint.js'

/**
 * proxyd's multicall: ask every supervisor at once and accept on the first valid answer
 * (availability first: one supervisor saying valid is enough). When none says valid the
 * rejection is, in order of preference, a failsafe, the first definitive rejection, the first
 * soft one; with no answer at all it fails closed.
 */
export class AnyStrategy implements ValidationStrategy {
  readonly name = 'any'
  readonly #endpoints: readonly SupervisorEndpoint[]

  constructor(endpoints: readonly SupervisorEndpoint[]) {
    if (endpoints.length === 0) throw new RangeError('the any strategy needs a supervisor')
    this.#endpoints = endpoints
  }

  validate(entries: readonly Hex[], descriptor: ExecutingDescriptor): Promise<Verdict> {
    const abort = this.#endpoints.length > 1 ? new AbortController() : undefined
    const outcomes: CheckOutcome[] = []
    return new Promise<Verdict>((resolve) => {
      let pending = this.#endpoints.length
      let done = false
      const settle = (outcome: CheckOutcome) => {
        if (done) return
        outcomes.push(outcome)
        if (outcome.kind === 'valid') {
          done = true
          if (pending > 1) abort?.abort(DECIDED)
          return resolve({ ok: true })
        }
        if (--pending > 0) return
        done = true
        resolve(decide(outcomes))
      }
      for (const e of this.#endpoints) void e.check(entries, descriptor, abort?.signal).then(settle)
    })
  }
}

function decide(outcomes: readonly CheckOutcome[]): Verdict {
  for (const kind of ['failsafe', 'invalid', 'soft'] as const) {
    const o = outcomes.find((x) => x.kind === kind)
    if (o && 'error' in o) return rejection(o)
  }
  const reasons = outcomes.map((o) => (o.kind === 'unavailable' ? o.reason : o.kind))
  return { ok: false, result: 'errored', error: new NoVerdictError(`no supervisor answered: ${reasons.join('; ')}`) }
}
