/**
 * Codec errors carry op-supervisor's own wording (op-core/interop/messages) so that callers
 * matching text, as kona still does, see the same strings. Boundaries add "failed to read data: ".
 */
export class AccessListParseError extends Error {
  override name = 'AccessListParseError'
}

export class ExecutingMessageDecodeError extends Error {
  override name = 'ExecutingMessageDecodeError'
}

export class IdentifierError extends Error {
  override name = 'IdentifierError'
}

/** A raw transaction that cannot be decoded (not hex, bad RLP, unknown type, unsigned). */
export class TransactionDecodeError extends Error {
  override name = 'TransactionDecodeError'
}
