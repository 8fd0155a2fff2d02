export {
  accessKey,
  dedupeAccesses,
  ENTRY_CHAIN_ID_EXTENSION,
  ENTRY_CHECKSUM,
  ENTRY_LOOKUP,
  encodeAccess,
  encodeAccessList,
  entryTypeByte,
  inboxEntries,
  parseAccessList,
} from './accessList.js'
export { type ChecksumArgs, checksum } from './checksum.js'
export {
  CROSS_L2_INBOX,
  EXECUTING_MESSAGE_TOPIC,
  EXPIRY_WINDOW_S,
  L2_TO_L2_MESSENGER,
  MAX_UINT32,
  MAX_UINT64,
  MAX_UINT256,
  PREVERIFIER_TIMEOUT_S,
} from './constants.js'
export { AccessListParseError, ExecutingMessageDecodeError, IdentifierError, TransactionDecodeError } from './errors.js'
export {
  decodeExecutingMessage,
  type ExecutingMessage,
  encodeIdentifier,
  isExecutingMessageLog,
} from './executingMessage.js'
export { accessFor, parseChainId, parseIdentifierJson } from './identifier.js'
export { logHash, messagePayload, payloadHash } from './message.js'
export { atLeastAsSafe, isSafetyLevel, SAFETY_LEVELS, type SafetyLevel } from './safety.js'
export { timingViolation } from './timing.js'
export type { Access, Hex, Identifier, LogLike } from './types.js'
