/**
 * Batch cost of the supervisor's methods heavier than a check (a check costs 1; a batch may cost
 * --max-batch). supervisor_syncStatus reads every chain's heads and answers ~1.5 KB: 1,000 of
 * them in one 70 KB batch answered 1.55 MB and held the main thread 94–433 ms, against ~5 ms
 * and ~40 KB for 1,000 checks; at 50 a batch holds at most 20. The head getters answer one
 * chain's block reference (~200 B).
 */
export const SUPERVISOR_METHOD_COSTS: ReadonlyMap<string, number> = new Map([
  ['supervisor_syncStatus', 50],
  ['supervisor_localUnsafe', 5],
  ['supervisor_crossSafe', 5],
  ['supervisor_finalized', 5],
])
