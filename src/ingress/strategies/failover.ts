import type { Hex } from '../../interop/index.js'
import { NoVerdictError } from '../errors.js'
import {
  type CheckOutcome,
  type ExecutingDescriptor,
  rejection,
  type ValidationStrategy,
  type Verdict,
} from './strategy.js'
import type { SupervisorEndpoint } from './supervisorEndpoint.js'

/**
 * proxyd's health-aware-load-balancing: one supervisor per check, round-robin over the healthy
 * ones. An unavailable supervisor is skipped for its cool-down and the next is tried; a soft
 * answer (behind, not down) moves on without the cool-down. A definitive answer or failsafe is
 * final. When every supervisor has been tried or is cooling down, it fails closed.
 */
export class FailoverStrategy implements ValidationStrategy {
  readonly name = 'failover'
  readonly #endpoints: readonly SupervisorEndpoint[]
  #next = 0

  constructor(endpoints: readonly SupervisorEndpoint[]) {
    if (endpoints.length === 0) throw new RangeError('the failover strategy needs a supervisor')
    this.#endpoints = endpoints
  }

  async validate(entries: readonly Hex[], descriptor: ExecutingDescriptor): Promise<Verdict> {
    const n = this.#endpoints.length
    const start = this.#next
    this.#next = (start + 1) % n
    let soft: Extract<CheckOutcome, { kind: 'soft' }> | undefined
    for (let i = 0; i < n; i++) {
      const endpoint = this.#endpoints[(start + i) % n]!
      if (!endpoint.isHealthy()) continue
      const outcome = await endpoint.check(entries, descriptor)
      switch (outcome.kind) {
        case 'valid':
          return { ok: true }
        case 'invalid':
        case 'failsafe':
          return rejection(outcome)
        case 'soft':
          soft ??= outcome
          continue
        case 'unavailable':
        case 'aborted':
          endpoint.markUnhealthy()
          continue
      }
    }
    if (soft) return rejection(soft)
    return { ok: false, result: 'errored', error: new NoVerdictError('no healthy supervisor backends found') }
  }
}
