import type { BlockRef } from '../check/types.js'
import type { Hex } from '../interop/index.js'

/**
 * op-service's eth.BlockID / eth.BlockRef JSON. Their numbers are Go uint64 fields without a
 * hex marshaller, so they go on the wire as plain JSON numbers (not 0x quantities): a Go client
 * (op-conductor's supervisor health check decodes eth.SupervisorSyncStatus) rejects anything else.
 */
export type BlockIdJson = { hash: Hex; number: number }
export type BlockRefJson = { hash: Hex; number: number; parentHash: Hex; timestamp: number }

export const ZERO_HASH = `0x${'0'.repeat(64)}` as Hex

/**
 * We follow L2 chains only and have no L1 view: where op-supervisor reports an L1 block
 * (minSyncedL1, the source of a cross-safe block), we report the zero block.
 */
export const ZERO_BLOCK_REF: BlockRefJson = Object.freeze({
  hash: ZERO_HASH,
  number: 0,
  parentHash: ZERO_HASH,
  timestamp: 0,
})
export const ZERO_BLOCK_ID: BlockIdJson = Object.freeze({ hash: ZERO_HASH, number: 0 })

export function blockIdJson(ref: BlockRef | undefined): BlockIdJson {
  return ref ? { hash: ref.hash, number: Number(ref.number) } : ZERO_BLOCK_ID
}

export function blockRefJson(ref: BlockRef | undefined): BlockRefJson {
  return ref
    ? { hash: ref.hash, number: Number(ref.number), parentHash: ref.parentHash, timestamp: Number(ref.timestamp) }
    : ZERO_BLOCK_REF
}
