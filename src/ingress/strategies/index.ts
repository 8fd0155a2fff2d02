export { AgreementStrategy } from './agreement.js'
export { AnyStrategy } from './any.js'
export { createStrategy } from './createStrategy.js'
export { FailoverStrategy } from './failover.js'
export { FirstStrategy } from './first.js'
export {
  STRATEGIES,
  type CheckOutcome,
  type ExecutingDescriptor,
  type StrategyName,
  type ValidationStrategy,
  type Verdict,
} from './strategy.js'
export { SupervisorEndpoint, type CheckObserver, type SupervisorEndpointOptions } from './supervisorEndpoint.js'
