import { EXECUTING_MESSAGE_TOPIC } from './constants.js'
import { ExecutingMessageDecodeError } from './errors.js'
import type { Hex, Identifier, LogLike } from './types.js'

export type ExecutingMessage = { payloadHash: Hex; identifier: Identifier }

const ZERO_12 = '0'.repeat(24)
const ZERO_24 = '0'.repeat(48)
const ZERO_28 = '0'.repeat(56)
// Logs come from RPC responses; anything that is not hex is refused rather than half-decoded.
const HASH = /^0x[0-9a-fA-F]{64}$/
const DATA = /^0x(?:[0-9a-fA-F]{2})*$/

/** True when a log is a CrossL2Inbox ExecutingMessage event by its first topic (the address is the caller's check). */
export function isExecutingMessageLog(log: Pick<LogLike, 'topics'>): boolean {
  return log.topics[0]?.toLowerCase() === EXECUTING_MESSAGE_TOPIC
}

/**
 * Decodes `ExecutingMessage(bytes32 indexed msgHash, Identifier id)` with op-supervisor's
 * DecodeEvent rules: exactly two topics, the event topic, 160 data bytes, zero padding.
 */
export function decodeExecutingMessage(log: Pick<LogLike, 'topics' | 'data'>): ExecutingMessage {
  if (log.topics.length !== 2)
    throw new ExecutingMessageDecodeError(`unexpected number of event topics: ${log.topics.length}`)
  if (log.topics[0]!.toLowerCase() !== EXECUTING_MESSAGE_TOPIC)
    throw new ExecutingMessageDecodeError('unexpected event topic')
  if (typeof log.topics[1] !== 'string' || !HASH.test(log.topics[1]))
    throw new ExecutingMessageDecodeError('invalid message hash topic')
  if (typeof log.data !== 'string' || !DATA.test(log.data))
    throw new ExecutingMessageDecodeError('invalid identifier data: not hex')
  const d = log.data.slice(2).toLowerCase()
  if (d.length !== 320) throw new ExecutingMessageDecodeError(`unexpected identifier data length: ${d.length / 2}`)
  const w = (i: number) => d.slice(i * 64, i * 64 + 64)
  if (!w(0).startsWith(ZERO_12)) throw new ExecutingMessageDecodeError('invalid address padding')
  if (!w(1).startsWith(ZERO_24)) throw new ExecutingMessageDecodeError('invalid block number padding')
  if (!w(2).startsWith(ZERO_28)) throw new ExecutingMessageDecodeError('invalid log index padding')
  if (!w(3).startsWith(ZERO_24)) throw new ExecutingMessageDecodeError('invalid timestamp padding')
  return {
    payloadHash: log.topics[1]!.toLowerCase() as Hex,
    identifier: {
      origin: `0x${w(0).slice(24)}`,
      blockNumber: BigInt(`0x${w(1)}`),
      logIndex: parseInt(w(2).slice(56), 16),
      timestamp: BigInt(`0x${w(3)}`),
      chainId: BigInt(`0x${w(4)}`),
    },
  }
}

/** ABI-encodes an Identifier as the event's data (and validateMessage's first argument). */
export function encodeIdentifier(id: Identifier): Hex {
  const word = (v: bigint) => v.toString(16).padStart(64, '0')
  return `0x${id.origin.slice(2).toLowerCase().padStart(64, '0')}${word(id.blockNumber)}${word(BigInt(id.logIndex))}${word(id.timestamp)}${word(id.chainId)}`
}
