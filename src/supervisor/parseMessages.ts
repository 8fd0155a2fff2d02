import { readError } from '../check/checkRequest.js'
import { type Access, accessFor, parseIdentifierJson } from '../interop/index.js'
import { isHex } from '../util/hex.js'

/**
 * validateMessagesV2's first param: `[{identifier, payloadHash}]` → the accesses that would
 * declare them, or -32602 "failed to read data: message i: …".
 */
export function parseMessages(value: unknown): Access[] {
  if (value === null || value === undefined) return []
  if (!Array.isArray(value)) throw readError(new Error('messages must be an array'))
  return value.map((m: unknown, i) => {
    try {
      if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new Error('expected {identifier, payloadHash}')
      const { identifier, payloadHash } = m as Record<string, unknown>
      if (!isHex(payloadHash, 32)) throw new Error('payloadHash must be 32 bytes of hex')
      return accessFor(parseIdentifierJson(identifier), payloadHash)
    } catch (err) {
      throw readError(new Error(`message ${i}: ${(err as Error).message}`))
    }
  })
}
