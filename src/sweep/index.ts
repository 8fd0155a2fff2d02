export { AcceptedSetSource } from './acceptedSetSource.js'
export { BuilderNotifier, NOTIFY_METHOD, type EvictedTx, type NotifyResult } from './builderNotifier.js'
export { actionFor, classifyTx, codeName, isTransient, SweepCode, type Action } from './classify.js'
export {
  ACCESSES_PER_CALL,
  DEFAULT_CHUNK_SIZE,
  sweepOptions,
  sweepSpec,
  type SweepConfig,
  type SweepContext,
  type SweepSettings,
} from './options.js'
export { planRound, refsOf, type PlannedChunk, type RoundPlan, type SweepTx } from './planRound.js'
export { SweepPool, type SweepPoolOptions } from './pool.js'
export { SWEEP_MODES, type ChunkResult, type SweepChunk, type SweepMode } from './protocol.js'
export { roundDescriptor } from './roundDescriptor.js'
export { startSweep, type Sweep, type SweepDeps } from './start.js'
export { formatTable, summary, type SweepReport, type TxVerdict } from './sweepReport.js'
export type { AcceptedTxs, Collected, DropResult, SweepSource } from './sweepSource.js'
export { parseTxpoolContent, type TxpoolContent } from './txpoolContent.js'
export { TxpoolSource } from './txpoolSource.js'
