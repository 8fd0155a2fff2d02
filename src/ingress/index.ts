export { type SenderRecovery, senderRecovery } from '../engine/senderRecovery.js'
export { type SigningData, signingData } from '../engine/signingData.js'
export {
  AcceptedSet,
  type AcceptedStore,
  type AcceptedTx,
  RedisAcceptedSet,
  RedisRateLimiter,
  SenderRateLimiter,
  StoreUnavailableError,
} from '../store/index.js'
export { decodeRawTransaction, type IngressTx } from './decodeRawTransaction.js'
export { httpStatusFor, NoVerdictError, SupervisorRejectionError, UpstreamUnavailableError } from './errors.js'
export { DESCRIPTOR_CLOCK_TOLERANCE_S, DESCRIPTOR_TIMEOUT_S, InteropValidator } from './interopValidator.js'
export {
  DEFAULT_ALLOWED_METHODS,
  type IngressConfig,
  type IngressInput,
  ingressOptions,
  ingressSpec,
} from './options.js'
export { type Ingress, type IngressDeps, startIngress } from './start.js'
export {
  AgreementStrategy,
  AnyStrategy,
  type CheckObserver,
  type CheckOutcome,
  createStrategy,
  type ExecutingDescriptor,
  FailoverStrategy,
  FirstStrategy,
  STRATEGIES,
  type StrategyName,
  SupervisorEndpoint,
  type SupervisorEndpointOptions,
  type ValidationStrategy,
  type Verdict,
} from './strategies/index.js'
