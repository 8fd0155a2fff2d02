import type { Logger } from 'pino'
import { AgreementStrategy } from './agreement.js'
import { AnyStrategy } from './any.js'
import { FailoverStrategy } from './failover.js'
import { FirstStrategy } from './first.js'
import type { StrategyName, ValidationStrategy } from './strategy.js'
import type { SupervisorEndpoint } from './supervisorEndpoint.js'

/** The strategy named by --strategy over the configured supervisors. */
export function createStrategy(
  name: StrategyName,
  endpoints: readonly SupervisorEndpoint[],
  opts: { minResponses?: number | undefined; log?: Logger } = {},
): ValidationStrategy {
  switch (name) {
    case 'agreement':
      return new AgreementStrategy(endpoints, opts.minResponses ?? endpoints.length, opts.log)
    case 'first':
      return new FirstStrategy(endpoints)
    case 'any':
      return new AnyStrategy(endpoints)
    case 'failover':
      return new FailoverStrategy(endpoints)
  }
}
