import { chainIdWord, checksumOf } from '../interop/checksum.js'
import {
  CROSS_L2_INBOX,
  checksum,
  decodeExecutingMessage,
  isExecutingMessageLog,
  logHash,
  payloadHash,
} from '../interop/index.js'
import { hexToBytes } from '../util/hex.js'
import type { Header, RawLog } from './chainRpc.js'
import { InconsistentRangeError } from './errors.js'
import type { IndexedBlock, IndexedExecMsg } from './indexedBlock.js'

/** SQLite integers are signed 64-bit; identifier fields above that can never match an indexed block anyway. */
const MAX_INT64 = (1n << 63n) - 1n
const EMPTY_BLOOM = /^0x0*$/

export type BuildOptions = {
  /** Called for an ExecutingMessage event that fails to decode (the predeploy never emits one). */
  onBadExecutingMessage?: (blockNumber: bigint, logIndex: number, err: unknown) => void
}

/**
 * Turns the headers and logs of one block range into rows to commit, checking that they describe
 * one chain: consecutive numbers, each parent hash equal to the previous hash, every log on its
 * block's hash, and logs present exactly where the header's bloom says there are some.
 * Computes what checks need (checksum with the chain's full id) so none hashes later.
 */
export function buildIndexedBlocks(
  chainId: bigint,
  headers: readonly Header[],
  logs: readonly RawLog[],
  opts: BuildOptions = {},
): IndexedBlock[] {
  const blocks: IndexedBlock[] = []
  const byNumber = new Map<bigint, IndexedBlock>()
  for (const [i, h] of headers.entries()) {
    const prev = headers[i - 1]
    if (prev && (h.number !== prev.number + 1n || h.parentHash !== prev.hash)) {
      throw new InconsistentRangeError(
        `block ${h.number} does not follow block ${prev.number} (${h.parentHash} != ${prev.hash})`,
      )
    }
    const b: IndexedBlock = {
      ref: { number: h.number, hash: h.hash, parentHash: h.parentHash, timestamp: h.timestamp },
      logs: [],
      execMsgs: [],
    }
    blocks.push(b)
    byNumber.set(h.number, b)
  }
  const chainWord = chainIdWord(chainId)
  // Logs come grouped by block: the block, its number and its hash check are carried from the
  // previous log while blockNumber and blockHash are the same strings (one compare instead of a
  // BigInt, a Map look-up and a toLowerCase per log).
  let lastNumberHex: string | undefined
  let lastHashHex: string | undefined
  let number = 0n
  let b: IndexedBlock | undefined
  for (const log of logs) {
    if (log.blockNumber === null || log.logIndex === null || log.blockHash === null)
      throw new InconsistentRangeError('pending log in a sealed range')
    if (log.blockNumber !== lastNumberHex || log.blockHash !== lastHashHex || b === undefined) {
      number = BigInt(log.blockNumber)
      b = byNumber.get(number)
      if (!b) throw new InconsistentRangeError(`log of block ${number} outside the range`)
      if (log.blockHash.toLowerCase() !== b.ref.hash)
        throw new InconsistentRangeError(`log of block ${number} is on another fork (${log.blockHash})`)
      lastNumberHex = log.blockNumber
      lastHashHex = log.blockHash
    }
    const logIndex = quantityToNumber(log.logIndex)
    const lh = logHash(originBytes(log.address), payloadHash(log))
    const sum = checksumOf(lh, number, b.ref.timestamp, logIndex, chainWord)
    // Copied into pooled buffers: a row lives until its range commits, and keeping keccak's
    // digests (each with its own ArrayBuffer backing store) alive that long cost ~1 µs/log in GC.
    b.logs.push({ logIndex, checksum: pooledCopy(sum) })
    if (log.address.toLowerCase() === CROSS_L2_INBOX && isExecutingMessageLog(log)) {
      const m = execMsg(log, logIndex)
      if (m instanceof Error) opts.onBadExecutingMessage?.(number, logIndex, m)
      else b.execMsgs.push(m)
    }
  }
  for (const [i, h] of headers.entries()) {
    if (h.logsBloom === undefined) continue
    const hasLogs = blocks[i]!.logs.length > 0
    if (hasLogs === EMPTY_BLOOM.test(h.logsBloom)) {
      throw new InconsistentRangeError(
        `block ${h.number}: ${hasLogs ? 'logs but an empty bloom' : 'a bloom but no logs'} (node still indexing?)`,
      )
    }
  }
  return blocks
}

/** A quantity ("0x1f") as a number: Number() parses hex directly; BigInt for what it cannot (same result or error as before). */
function quantityToNumber(hex: string): number {
  const n = Number(hex)
  return Number.isSafeInteger(n) && hex.startsWith('0x') ? n : Number(BigInt(hex))
}

function pooledCopy(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(bytes.length)
  out.set(bytes)
  return out
}

// Emitting addresses repeat (a token emits most of a block's logs): decode each once. Bounded,
// cleared when full; only read, never written to, by the hashing.
const origins = new Map<string, Uint8Array>()
function originBytes(address: string): Uint8Array {
  let bytes = origins.get(address)
  if (bytes === undefined) {
    if (origins.size >= 4096) origins.clear()
    bytes = hexToBytes(address)
    origins.set(address, bytes)
  }
  return bytes
}

function execMsg(log: RawLog, logIndex: number): IndexedExecMsg | Error {
  try {
    const { payloadHash: msgHash, identifier: id } = decodeExecutingMessage(log)
    const sourceBlock = id.blockNumber > MAX_INT64 ? MAX_INT64 : id.blockNumber
    const sourceTimestamp = id.timestamp > MAX_INT64 ? MAX_INT64 : id.timestamp
    const expected = checksum({
      logHash: logHash(hexToBytes(id.origin), hexToBytes(msgHash)),
      blockNumber: id.blockNumber,
      timestamp: id.timestamp,
      logIndex: id.logIndex,
      chainId: id.chainId,
    })
    return {
      logIndex,
      sourceChain: id.chainId,
      sourceBlock,
      sourceLogIndex: id.logIndex,
      sourceTimestamp,
      checksum: Buffer.from(expected),
    }
  } catch (err) {
    return err as Error
  }
}
