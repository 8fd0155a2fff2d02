import type { BlockRef } from '../check/types.js'
import type { Hex } from '../interop/index.js'

/** A blocks/heads row as the statements return it (safe integers, hashes as BLOB). */
export type BlockRow = { number: bigint; hash: Buffer; parent_hash: Buffer; timestamp: bigint }

export function blockRefFromRow(row: BlockRow): BlockRef {
  return { number: row.number, hash: hexOf(row.hash), parentHash: hexOf(row.parent_hash), timestamp: row.timestamp }
}

/** The positional parameters (number, hash, parent_hash, timestamp) of a block for the statements. */
export function blockParams(ref: BlockRef): [bigint, Buffer, Buffer, bigint] {
  return [ref.number, bufferOf(ref.hash), bufferOf(ref.parentHash), ref.timestamp]
}

export function hexOf(buf: Buffer): Hex {
  return `0x${buf.toString('hex')}`
}

export function bufferOf(hex: Hex): Buffer {
  return Buffer.from(hex.slice(2), 'hex')
}
