export { REJECTION_REASONS, type RejectionReason } from './reasons.js'
export type {
  EngineVersion,
  GetPayloadVersion,
  ParentRef,
  StartBuildingParams,
  Submission,
  SubmitResult,
} from './types.js'
