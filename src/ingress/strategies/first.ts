import type { Hex } from '../../interop/index.js'
import { NoVerdictError } from '../errors.js'
import { type ExecutingDescriptor, rejection, type ValidationStrategy, type Verdict } from './strategy.js'
import type { SupervisorEndpoint } from './supervisorEndpoint.js'

/** proxyd's first-filter: only the first supervisor is asked; no answer fails closed. */
export class FirstStrategy implements ValidationStrategy {
  readonly name = 'first'
  readonly #endpoint: SupervisorEndpoint

  constructor(endpoints: readonly SupervisorEndpoint[]) {
    if (!endpoints[0]) throw new RangeError('the first strategy needs a supervisor')
    this.#endpoint = endpoints[0]
  }

  async validate(entries: readonly Hex[], descriptor: ExecutingDescriptor): Promise<Verdict> {
    const outcome = await this.#endpoint.check(entries, descriptor)
    switch (outcome.kind) {
      case 'valid':
        return { ok: true }
      case 'invalid':
      case 'failsafe':
      case 'soft':
        return rejection(outcome)
      case 'unavailable':
        return { ok: false, result: 'errored', error: new NoVerdictError(`supervisor unavailable: ${outcome.reason}`) }
      case 'aborted':
        return { ok: false, result: 'errored', error: new NoVerdictError('supervisor check aborted') }
    }
  }
}
