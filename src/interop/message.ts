import { keccak256 } from '../util/keccak.js'
import { hexToBytes } from '../util/hex.js'
import type { LogLike } from './types.js'

/** The message payload of a log: every topic (32 bytes each) then the data (specs messaging.md). */
export function messagePayload(log: Pick<LogLike, 'topics' | 'data'>): Uint8Array {
  const data = hexToBytes(log.data)
  const out = new Uint8Array(log.topics.length * 32 + data.length)
  for (let i = 0; i < log.topics.length; i++) out.set(hexToBytes(log.topics[i]!), i * 32)
  out.set(data, log.topics.length * 32)
  return out
}

/** payloadHash (msgHash) = keccak256(message payload). */
export function payloadHash(log: Pick<LogLike, 'topics' | 'data'>): Uint8Array {
  return keccak256(messagePayload(log))
}

/** logHash = keccak256(origin ++ payloadHash), what the supervisor's log DB stores per log. */
export function logHash(origin: Uint8Array, msgHash: Uint8Array): Uint8Array {
  const buf = new Uint8Array(52)
  buf.set(origin, 0)
  buf.set(msgHash, 20)
  return keccak256(buf)
}
