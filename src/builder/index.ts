export {
  type AssembledBlock,
  assembleBlock,
  childBaseFee,
  forkOf,
  type JobSpec,
  type ParentHeader,
  submissionOf,
} from './assemble.js'
export { TxRejectedError } from './errors.js'
export { orderByFee, type PoolEntry } from './feePolicy.js'
export { InteropChecker } from './interopCheck.js'
export { BuilderMempool } from './mempool.js'
export { type BuilderConfig, type BuilderInput, builderConfig, builderOptions, builderSpec } from './options.js'
export { type BuilderHandle, type SubmittedEvent, startBuilder } from './start.js'
