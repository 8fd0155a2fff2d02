import type { BlockRef, HeadLevel } from '../check/types.js'

/** Where a reader gets heads and readiness: the writer's memory, or the heads table for a read-only reader. */
export interface ChainState {
  head(chainKey: number, level: HeadLevel): BlockRef | undefined
  isReady(chainKey: number): boolean
}

export const HEAD_LEVELS: readonly HeadLevel[] = ['unsafe', 'cross-unsafe', 'safe', 'finalized']
