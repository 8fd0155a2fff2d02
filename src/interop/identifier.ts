import { hexToBytes } from '../util/hex.js'
import { checksum } from './checksum.js'
import { MAX_UINT32, MAX_UINT64, MAX_UINT256 } from './constants.js'
import { IdentifierError } from './errors.js'
import { logHash } from './message.js'
import type { Access, Hex, Identifier } from './types.js'

/** The access (lookup fields + checksum) that declares executing the message `payloadHash` identified by `id`. */
export function accessFor(id: Identifier, msgHash: Hex | Uint8Array): Access {
  const ph = typeof msgHash === 'string' ? hexToBytes(msgHash) : msgHash
  const sum = checksum({
    logHash: logHash(hexToBytes(id.origin), ph),
    blockNumber: id.blockNumber,
    timestamp: id.timestamp,
    logIndex: id.logIndex,
    chainId: id.chainId,
  })
  return {
    chainId: id.chainId,
    blockNumber: id.blockNumber,
    timestamp: id.timestamp,
    logIndex: id.logIndex,
    checksum: `0x${Buffer.from(sum).toString('hex')}`,
  }
}

/**
 * Parses the JSON Identifier of supervisor_validateMessagesV2 / checkMessagesV2:
 * `{origin, blockNumber, logIndex, timestamp, chainID}` with hex quantities; `chainId`
 * spelling and a decimal chain id are accepted too.
 */
export function parseIdentifierJson(value: unknown): Identifier {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new IdentifierError('identifier must be an object')
  const v = value as Record<string, unknown>
  if (typeof v.origin !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(v.origin))
    throw new IdentifierError('invalid origin address')
  const blockNumber = parseUint(v.blockNumber, 'blockNumber', MAX_UINT64)
  const logIndex = parseUint(v.logIndex, 'logIndex', BigInt(MAX_UINT32), 'log index too large')
  const timestamp = parseUint(v.timestamp, 'timestamp', MAX_UINT64)
  const chainId = parseChainId(v.chainID ?? v.chainId)
  return { origin: v.origin.toLowerCase() as Hex, blockNumber, logIndex: Number(logIndex), timestamp, chainId }
}

/** A chain id as op-service's eth.ChainID accepts it: 0x-hex or decimal string (or a JSON number). */
export function parseChainId(value: unknown): bigint {
  let n: bigint
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) n = BigInt(value)
  else if (typeof value === 'string' && /^0x[0-9a-fA-F]{1,64}$/.test(value)) n = BigInt(value)
  else if (typeof value === 'string' && /^[0-9]{1,78}$/.test(value)) n = BigInt(value)
  else throw new IdentifierError(`invalid chain id ${JSON.stringify(value)}`)
  if (n > MAX_UINT256) throw new IdentifierError('chain id exceeds uint256')
  return n
}

function parseUint(value: unknown, field: string, max: bigint, tooLarge?: string): bigint {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(value))
    throw new IdentifierError(`invalid ${field}: expected a hex quantity`)
  const n = BigInt(value)
  if (n > max) throw new IdentifierError(tooLarge ?? `${field} too large`)
  return n
}
