export { AcceptedSetSource } from './acceptedSetSource.js'
export { BuilderNotifier, type EvictedTx, NOTIFY_METHOD, type NotifyResult } from './builderNotifier.js'
export { type Action, actionFor, classifyTx, codeName, isTransient, SweepCode } from './classify.js'
export {
  ACCESSES_PER_CALL,
  DEFAULT_CHUNK_SIZE,
  type SweepConfig,
  type SweepContext,
  type SweepSettings,
  sweepOptions,
  sweepSpec,
} from './options.js'
export { type PlannedChunk, planRound, type RoundPlan, refsOf, type SweepTx } from './planRound.js'
export { SweepPool, type SweepPoolOptions } from './pool.js'
export { type ChunkResult, SWEEP_MODES, type SweepChunk, type SweepMode } from './protocol.js'
export { roundDescriptor } from './roundDescriptor.js'
export { type Sweep, type SweepDeps, startSweep } from './start.js'
export { formatTable, type SweepReport, summary, type TxVerdict } from './sweepReport.js'
export type { AcceptedTxs, Collected, DropResult, SweepSource } from './sweepSource.js'
export { parseTxpoolContent, type TxpoolContent } from './txpoolContent.js'
export { TxpoolSource } from './txpoolSource.js'
