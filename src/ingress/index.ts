export { AcceptedSet, type AcceptedTx } from './acceptedSet.js'
export {
  DEFAULT_ALLOWED_METHODS,
  ingressOptions,
  ingressSpec,
  type IngressConfig,
  type IngressInput,
} from './options.js'
export { decodeRawTransaction, type IngressTx } from './decodeRawTransaction.js'
export { signingData, type SigningData } from '../engine/signingData.js'
export { httpStatusFor, NoVerdictError, SupervisorRejectionError, UpstreamUnavailableError } from './errors.js'
export { DESCRIPTOR_CLOCK_TOLERANCE_S, DESCRIPTOR_TIMEOUT_S, InteropValidator } from './interopValidator.js'
export { SenderRateLimiter } from './senderRateLimiter.js'
export { senderRecovery, type SenderRecovery } from '../engine/senderRecovery.js'
export {
  AgreementStrategy,
  AnyStrategy,
  createStrategy,
  FailoverStrategy,
  FirstStrategy,
  STRATEGIES,
  SupervisorEndpoint,
  type CheckObserver,
  type CheckOutcome,
  type ExecutingDescriptor,
  type StrategyName,
  type SupervisorEndpointOptions,
  type ValidationStrategy,
  type Verdict,
} from './strategies/index.js'
export { startIngress, type Ingress, type IngressDeps } from './start.js'
