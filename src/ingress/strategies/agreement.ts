import type { Logger } from 'pino'
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
 * proxyd's agreement (its default): ask every supervisor at once and decide as soon as
 * `minResponses` definitive verdicts (valid or invalid) are in. A failsafe answer from any
 * supervisor rejects at once; soft answers and transport errors do not count. At the quorum:
 * all valid accepts, otherwise the first rejection (a mix is logged as a disagreement).
 * Fewer definitive verdicts than the quorum fails closed.
 */
export class AgreementStrategy implements ValidationStrategy {
  readonly name = 'agreement'
  readonly minResponses: number
  readonly #endpoints: readonly SupervisorEndpoint[]
  readonly #log: Logger | undefined

  constructor(endpoints: readonly SupervisorEndpoint[], minResponses = endpoints.length, log?: Logger) {
    if (!Number.isInteger(minResponses) || minResponses < 1 || minResponses > endpoints.length) {
      throw new RangeError(
        `min responses must be in 1..${endpoints.length} (the number of supervisors), got ${minResponses}`,
      )
    }
    this.#endpoints = endpoints
    this.minResponses = minResponses
    this.#log = log
  }

  validate(entries: readonly Hex[], descriptor: ExecutingDescriptor): Promise<Verdict> {
    // Only needed to stop the others' requests; a lone supervisor has none to stop.
    const abort = this.#endpoints.length > 1 ? new AbortController() : undefined
    return new Promise<Verdict>((resolve) => {
      let pending = this.#endpoints.length
      let valid = 0
      const rejections: Extract<CheckOutcome, { kind: 'invalid' }>[] = []
      const unanswered: string[] = []
      let done = false
      const finish = (v: Verdict) => {
        done = true
        if (pending > 0) abort?.abort(DECIDED)
        resolve(v)
      }
      const settle = (outcome: CheckOutcome) => {
        if (done) return
        pending--
        if (outcome.kind === 'failsafe') return finish(rejection(outcome))
        if (outcome.kind === 'valid') valid++
        else if (outcome.kind === 'invalid') rejections.push(outcome)
        else
          unanswered.push(
            outcome.kind === 'unavailable'
              ? outcome.reason
              : outcome.kind === 'soft'
                ? outcome.error.message
                : 'aborted',
          )
        if (valid + rejections.length >= this.minResponses) {
          const first = rejections[0]
          if (!first) return finish({ ok: true })
          if (valid > 0)
            this.#log?.warn(
              { valid, invalid: rejections.length, code: first.error.rpcCode },
              'supervisors disagreed; rejecting',
            )
          return finish(rejection(first))
        }
        if (pending === 0) {
          finish({
            ok: false,
            result: 'errored',
            error: new NoVerdictError(
              `interop quorum not reached: ${valid + rejections.length} definitive responses, ${this.minResponses} required`,
            ),
          })
          this.#log?.debug({ unanswered }, 'interop quorum not reached')
        }
      }
      for (const e of this.#endpoints) void e.check(entries, descriptor, abort?.signal).then(settle)
    })
  }
}
