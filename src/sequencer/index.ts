export { type BuilderApiOptions, createBuilderApi, jobParams } from './builderApi.js'
export { EngineBuilderClient, PbsBuilderClient, PeerHealth } from './builderClient.js'
export { BuilderGate } from './builderGate.js'
export { cheapCheck, extraDataRule, jobExpectations, parseSubmission, payloadVersion } from './cheapChecks.js'
export { CircuitBreaker, type CircuitState } from './circuitBreaker.js'
export { engineValidator } from './engineValidator.js'
export {
  EngineRpcError,
  EngineUnavailableError,
  InvalidExecutionModeError,
  MalformedSubmissionError,
} from './errors.js'
export { type SequencerEventMap, SequencerEvents } from './events.js'
export { executionModeMethods, parseExecutionMode } from './executionMode.js'
export { HealthMonitor, type HealthStatus } from './health.js'
export { createJob, JobBook, type JobBookGate, newJobId, type ValidationResult, type Validator } from './job.js'
export { type SequencerConfig, type SequencerInput, sequencerOptions, sequencerSpec } from './options.js'
export { envelopeOf, type PayloadEnvelope, PbsCore } from './pbsCore.js'
export { type Selection, type SelectionReason, selectBlock } from './selection.js'
export { type SequencerHandle, sequencerConfig, startSequencer } from './start.js'
export { type JobTiming, nextSlot, proxyTiming, type Slot, standaloneTiming, type TimingOptions } from './timing.js'
export type { BlockSource, Candidate, ExecutionMode, Job } from './types.js'
