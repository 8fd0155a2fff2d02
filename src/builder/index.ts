export {
  assembleBlock,
  childBaseFee,
  forkOf,
  submissionOf,
  type AssembledBlock,
  type JobSpec,
  type ParentHeader,
} from './assemble.js'
export { startBuilder, type BuilderHandle, type SubmittedEvent } from './start.js'
export { TxRejectedError } from './errors.js'
export { orderByFee, type PoolEntry } from './feePolicy.js'
export { InteropChecker } from './interopCheck.js'
export { BuilderMempool } from './mempool.js'
export { builderConfig, builderOptions, builderSpec, type BuilderConfig, type BuilderInput } from './options.js'
