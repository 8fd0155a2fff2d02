export { createBuilderApi, jobParams, type BuilderApiOptions } from './builderApi.js'
export { EngineBuilderClient, PbsBuilderClient, PeerHealth } from './builderClient.js'
export { BuilderGate } from './builderGate.js'
export { cheapCheck, extraDataRule, jobExpectations, parseSubmission, payloadVersion } from './cheapChecks.js'
export { CircuitBreaker, type CircuitState } from './circuitBreaker.js'
export {
  EngineRpcError,
  EngineUnavailableError,
  InvalidExecutionModeError,
  MalformedSubmissionError,
} from './errors.js'
export { engineValidator } from './engineValidator.js'
export { SequencerEvents, type SequencerEventMap } from './events.js'
export { executionModeMethods, parseExecutionMode } from './executionMode.js'
export { HealthMonitor, type HealthStatus } from './health.js'
export { createJob, JobBook, newJobId, type JobBookGate, type ValidationResult, type Validator } from './job.js'
export { sequencerOptions, sequencerSpec, type SequencerConfig, type SequencerInput } from './options.js'
export { envelopeOf, PbsCore, type PayloadEnvelope } from './pbsCore.js'
export { selectBlock, type Selection, type SelectionReason } from './selection.js'
export { sequencerConfig, startSequencer, type SequencerHandle } from './start.js'
export { nextSlot, proxyTiming, standaloneTiming, type JobTiming, type Slot, type TimingOptions } from './timing.js'
export type { BlockSource, Candidate, ExecutionMode, Job } from './types.js'
