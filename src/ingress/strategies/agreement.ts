import type { Logger } from 'pino'
import type { Hex } from '../../interop/index.js'
import { FailureLog } from '../../util/failureLog.js'
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
 * `minResponses` definitive verdicts (valid or invalid) agree. A failsafe answer from any
 * supervisor rejects at once; soft answers and transport errors do not count. `minResponses` valid
 * accepts, `minResponses` invalid rejects with the first rejection; a mix waits for the others, so
 * one lying supervisor among three cannot refuse a valid transaction by answering early (the
 * lying-supervisor chaos scenario refused 29 that way) nor pass a forged one. All answered and still
 * no side at the quorum: a split fails closed with the first rejection (logged as a disagreement).
 * Fewer definitive verdicts than the quorum fails closed: with the retryable answer of a supervisor
 * that is behind (soft) when one gave it, else -32000 no verdict.
 */
export class AgreementStrategy implements ValidationStrategy {
  readonly name = 'agreement'
  readonly minResponses: number
  readonly #endpoints: readonly SupervisorEndpoint[]
  readonly #log: Logger | undefined
  /** Why the quorum was missed (each supervisor's soft answer or transport failure), one line per 10 s. */
  readonly #noQuorum: FailureLog | undefined

  constructor(endpoints: readonly SupervisorEndpoint[], minResponses = endpoints.length, log?: Logger) {
    if (!Number.isInteger(minResponses) || minResponses < 1 || minResponses > endpoints.length) {
      throw new RangeError(
        `min responses must be in 1..${endpoints.length} (the number of supervisors), got ${minResponses}`,
      )
    }
    this.#endpoints = endpoints
    this.minResponses = minResponses
    this.#log = log
    this.#noQuorum = log && new FailureLog(log, 'interop quorum not reached', 10_000, { flush: true })
  }

  validate(entries: readonly Hex[], descriptor: ExecutingDescriptor): Promise<Verdict> {
    // Only needed to stop the others' requests; a lone supervisor has none to stop.
    const abort = this.#endpoints.length > 1 ? new AbortController() : undefined
    return new Promise<Verdict>((resolve) => {
      let pending = this.#endpoints.length
      let valid = 0
      const rejections: Extract<CheckOutcome, { kind: 'invalid' }>[] = []
      const unanswered: string[] = []
      let behind: Extract<CheckOutcome, { kind: 'soft' }> | undefined
      let done = false
      const finish = (v: Verdict) => {
        done = true
        if (pending > 0) abort?.abort(DECIDED)
        resolve(v)
      }
      const settle = (outcome: CheckOutcome, label: string) => {
        if (done) return
        pending--
        if (outcome.kind === 'failsafe') return finish(rejection(outcome))
        if (outcome.kind === 'valid') valid++
        else if (outcome.kind === 'invalid') rejections.push(outcome)
        if (outcome.kind === 'soft') behind ??= outcome
        if (outcome.kind !== 'valid' && outcome.kind !== 'invalid')
          unanswered.push(
            `${label}: ${outcome.kind === 'unavailable' ? outcome.reason : outcome.kind === 'soft' ? outcome.error.message : 'aborted'}`,
          )
        const first = rejections[0]
        const split = pending === 0 && valid + rejections.length >= this.minResponses
        if (valid >= this.minResponses || (first && (rejections.length >= this.minResponses || split))) {
          this.#noQuorum?.success()
          const accept = valid >= this.minResponses
          if (valid > 0 && first)
            this.#log?.warn(
              { valid, invalid: rejections.length, code: first.error.rpcCode },
              accept ? 'supervisors disagreed; accepting' : 'supervisors disagreed; rejecting',
            )
          return finish(accept || !first ? { ok: true } : rejection(first))
        }
        if (pending === 0) {
          this.#noQuorum?.failure(new Error(unanswered.join('; ')), { valid, invalid: rejections.length })
          // A supervisor that has not indexed the initiating block yet (-321100 not yet ingested, -321401,
          // -320400) says so: that retryable "not yet known" answer, not "no verdict", is the truth the
          // sender gets, as op-interop-filter answers it. Still a refusal: nothing passes without the quorum.
          if (behind) return finish(rejection(behind))
          finish({
            ok: false,
            result: 'errored',
            error: new NoVerdictError(
              `interop quorum not reached: ${valid + rejections.length} definitive responses, ${this.minResponses} required`,
            ),
          })
        }
      }
      for (const e of this.#endpoints) void e.check(entries, descriptor, abort?.signal).then((o) => settle(o, e.label))
    })
  }
}
