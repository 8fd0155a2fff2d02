/** RPC safety labels (op-supervisor SafetyLevel). `invalid` is never a valid minimum. */
export const SAFETY_LEVELS = ['unsafe', 'cross-unsafe', 'local-safe', 'safe', 'finalized'] as const
export type SafetyLevel = (typeof SAFETY_LEVELS)[number]

/**
 * op-supervisor's AtLeastAsSafe ordering: unsafe < local-safe < cross-unsafe < safe < finalized.
 * local-safe and cross-unsafe are not comparable in principle; the Go order is kept for callers that sort.
 */
const RANK: Record<SafetyLevel, number> = { unsafe: 1, 'local-safe': 2, 'cross-unsafe': 3, safe: 4, finalized: 5 }

export function isSafetyLevel(value: unknown): value is SafetyLevel {
  // own keys only: `in` would also accept inherited names such as "toString"
  return typeof value === 'string' && Object.hasOwn(RANK, value)
}

export function atLeastAsSafe(level: SafetyLevel, min: SafetyLevel): boolean {
  return RANK[level] >= RANK[min]
}
