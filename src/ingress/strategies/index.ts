export { AgreementStrategy } from './agreement.js'
export { AnyStrategy } from './any.js'
export { createStrategy } from './createStrategy.js'
export { FailoverStrategy } from './failover.js'
export { FirstStrategy } from './first.js'
export {
  type CheckOutcome,
  type ExecutingDescriptor,
  STRATEGIES,
  type StrategyName,
  type ValidationStrategy,
  type Verdict,
} from './strategy.js'
export { type CheckObserver, SupervisorEndpoint, type SupervisorEndpointOptions } from './supervisorEndpoint.js'
