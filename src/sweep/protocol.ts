import type { Access, Hex, SafetyLevel } from '../interop/index.js'

/**
 * Messages between the sweep's main thread and workers/sweep.js. Everything here survives
 * structured clone; the bulky parts (accesses in, verdict codes out) are ArrayBuffers that are
 * transferred, not copied, so the main thread pays neither serialisation nor a copy for them.
 */

export const SWEEP_MODES = ['supervisor', 'index', 'rpc'] as const
export type SweepMode = (typeof SWEEP_MODES)[number]

/** How a worker checks accesses. Workers keep one client / database handle per setting, at module scope. */
export type CheckBackend =
  | { mode: 'supervisor'; url: string; method: string; timeoutMs: number; accessesPerCall: number }
  | { mode: 'index'; path: string }
  | { mode: 'rpc'; chainRpcs: readonly string[]; timeoutMs: number }

/** The executing descriptor of a round (see roundDescriptor.ts for the choice of values). */
export type SweepDescriptor = { chainId: bigint; timestamp: bigint; timeout: bigint }

/**
 * One access is a fixed 96-byte record: lookup (32) ++ chain-id extension (32; all zero when the
 * access has none) ++ checksum (32). Fixed records keep packing and slicing trivial; the zero
 * extension costs 32 bytes per access and is never ambiguous (a real extension starts 0x02).
 */
export const ACCESS_BYTES = 96

/** A batch of de-duplicated accesses for one worker task: one JSON-RPC batch in supervisor mode. */
export type SweepChunk = {
  backend: CheckBackend
  minSafety: SafetyLevel
  descriptor: SweepDescriptor
  /** `count` records of ACCESS_BYTES each. Transferred to the worker. */
  accesses: ArrayBuffer
  count: number
  /** Epoch ms: accesses not checked by then answer SweepCode.Timeout (the round is bounded). */
  deadline: number
}

/** What a worker returns for a chunk. */
export type ChunkResult = {
  /** Per access: 0 = valid, else a JSON-RPC error code or a local SweepCode. Transferred back. */
  codes: Int32Array
  /** Error messages of failed accesses, [position, message]; capped at MAX_MESSAGES per chunk. */
  messages: [number, string][]
  /** Time the worker spent on the chunk. */
  ms: number
}

export const MAX_MESSAGES = 64

/**
 * Task of workers/sweep.js's `blockHashes` (--evict-on-reorg): per source chain, find the lowest
 * remembered height whose block hash changed (or is gone), and read the hashes of fresh heights.
 */
export type BlockHashesTask = {
  backend: CheckBackend
  chains: {
    chainId: bigint
    /** Heights seen in earlier rounds, ascending, with the hash each had then. */
    remembered: bigint[]
    hashes: Hex[]
    /** Heights first referenced this round: their hashes are read to be remembered. */
    fresh: bigint[]
  }[]
  /** Epoch ms: look-ups not done by then give up (the chain's answer is then unknown). */
  deadline: number
}

/** Per chain of the task: `forkAt` indexes `remembered` (-1: nothing changed); fresh hashes, null = no such block. */
export type BlockHashesResult = { forkAt: number; fresh: (Hex | null)[]; error?: string }[]

/**
 * Task of workers/txpool.js: fetch and pre-digest `txpool_content` (the whole pool), or with
 * `hashes` the transactions named (`eth_getTransactionByHash` in batches), off the main thread.
 */
export type TxpoolTask = { url: string; timeoutMs: number; maxResponseBytes: number; hashes?: readonly string[] }

/**
 * Interop transactions of a txpool, packed: tx i has hash hashes[32i..32i+32] and entries
 * counts[i] consecutive 32-byte records of `entries`, in order. Buffers are transferred.
 */
export type TxpoolResult = {
  hashes: ArrayBuffer
  counts: Uint32Array
  entries: ArrayBuffer
  /** Transactions whose entries are not all 32-byte hex (count 0 above): [index, entries]. */
  malformed: [number, string[]][]
  /** Every transaction in the pool (interop or not), and the malformed ones skipped. */
  total: number
  skipped: number
  /** The hash of every pending transaction read (interop or not), 32 bytes each. Transferred. */
  all: ArrayBuffer
  /** Worker time: the request until the answer's bytes were in, JSON.parse, and digesting the rest. */
  readMs: number
  parseMs: number
  ms: number
}

/**
 * Writes one access's entries (lookup, optional extension, checksum; 0x-prefixed, 64 digits each)
 * at `offset`. False when an entry is not all hex: decoding stops at the first bad digit.
 */
export function packAccess(
  buf: Buffer,
  offset: number,
  lookup: string,
  extension: string | undefined,
  checksum: string,
): boolean {
  let n = buf.write(lookup.slice(2), offset, 32, 'hex') + buf.write(checksum.slice(2), offset + 64, 32, 'hex')
  if (extension === undefined) buf.fill(0, offset + 32, offset + 64)
  else n += buf.write(extension.slice(2), offset + 32, 32, 'hex') - 32
  return n === 64
}

/** The inbox entries of record `i` again (the supervisor receives them as it would from op-geth). */
export function unpackEntries(buf: Buffer, i: number): Hex[] {
  const o = i * ACCESS_BYTES
  const lookup = `0x${buf.toString('hex', o, o + 32)}` as Hex
  const checksum = `0x${buf.toString('hex', o + 64, o + 96)}` as Hex
  return buf[o + 32] === 0 ? [lookup, checksum] : [lookup, `0x${buf.toString('hex', o + 32, o + 64)}` as Hex, checksum]
}

/**
 * Record `i` as an Access, read straight from the bytes (the main thread has already checked the
 * structure with op-supervisor's ParseAccess rules, so no entry here is malformed).
 */
export function decodeAccess(buf: Buffer, i: number): Access {
  const o = i * ACCESS_BYTES
  let chainId = buf.readBigUInt64BE(o + 4)
  if (buf[o + 32] !== 0) chainId |= BigInt(`0x${buf.toString('hex', o + 40, o + 64)}`) << 64n
  return {
    chainId,
    blockNumber: buf.readBigUInt64BE(o + 12),
    timestamp: buf.readBigUInt64BE(o + 20),
    logIndex: buf.readUInt32BE(o + 28),
    checksum: `0x${buf.toString('hex', o + 64, o + 96)}` as Hex,
  }
}
