import { hexToBytes } from '../util/hex.js'
import { keccak256 } from '../util/keccak.js'
import type { LogLike } from './types.js'

/** The message payload of a log: every topic (32 bytes each) then the data (specs messaging.md). */
export function messagePayload(log: Pick<LogLike, 'topics' | 'data'>): Uint8Array {
  const data = hexToBytes(log.data)
  const out = new Uint8Array(log.topics.length * 32 + data.length)
  for (let i = 0; i < log.topics.length; i++) out.set(hexToBytes(log.topics[i]!), i * 32)
  out.set(data, log.topics.length * 32)
  return out
}

// Reused hash inputs (logHash 1.17 → 0.58 µs): keccak256 is synchronous, so no call can interleave.
let payloadScratch = Buffer.alloc(1024)
const logHashInput = new Uint8Array(52)

/**
 * payloadHash (msgHash) = keccak256(message payload). The payload is decoded into one reused
 * buffer instead of a buffer per topic plus the joined copy (2 topics + 32 bytes: 1.52 → 0.97 µs).
 */
export function payloadHash(log: Pick<LogLike, 'topics' | 'data'>): Uint8Array {
  const { topics, data } = log
  const dataHex = data.startsWith('0x') ? data.slice(2) : data
  const size = topics.length * 32 + (dataHex.length >> 1)
  if (size > payloadScratch.length) payloadScratch = Buffer.alloc(Math.max(size, payloadScratch.length * 2))
  const buf = payloadScratch
  for (let i = 0; i < topics.length; i++) {
    const t = topics[i]!
    // A topic is 32 bytes; a shorter one (never sent by a node) left-aligned and zero-padded like messagePayload's copy.
    const n = buf.write(t.startsWith('0x') ? t.slice(2) : t, i * 32, 32, 'hex')
    if (n < 32) buf.fill(0, i * 32 + n, i * 32 + 32)
  }
  const n = buf.write(dataHex, topics.length * 32, 'hex')
  return keccak256(buf.subarray(0, topics.length * 32 + n))
}

/** logHash = keccak256(origin ++ payloadHash), what the supervisor's log DB stores per log. */
export function logHash(origin: Uint8Array, msgHash: Uint8Array): Uint8Array {
  if (origin.length < 20) logHashInput.fill(0, 0, 20)
  logHashInput.set(origin, 0)
  logHashInput.set(msgHash, 20)
  return keccak256(logHashInput)
}
