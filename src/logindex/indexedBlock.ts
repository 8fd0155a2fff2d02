import type { BlockRef } from '../check/types.js'

/**
 * One log as stored: what a check compares (checksum, with the block's timestamp). The spec's
 * logHash, which the checksum commits to, is not stored (schema 2): nothing reads it.
 */
export type IndexedLog = { logIndex: number; checksum: Buffer; logHash?: Buffer }

/** One CrossL2Inbox ExecutingMessage of an indexed block: where its initiating log must be and its checksum. */
export type IndexedExecMsg = {
  logIndex: number
  sourceChain: bigint
  sourceBlock: bigint
  sourceLogIndex: number
  sourceTimestamp: bigint
  checksum: Buffer
}

/** A block ready to commit: header, logs with precomputed checksums, executing messages. */
export type IndexedBlock = { ref: BlockRef; logs: IndexedLog[]; execMsgs: IndexedExecMsg[] }
