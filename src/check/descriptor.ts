import { InvalidParamsError } from '../errors/index.js'
import { type IdentifierError, MAX_UINT64, parseChainId } from '../interop/index.js'

/** When and where the messages are to be executed (op-supervisor ExecutingDescriptor). */
export type ExecutingDescriptor = { chainId: bigint; timestamp: bigint; timeout: bigint }

/**
 * Parses `{chainID, timestamp, timeout?}` as op-geth, op-reth, proxyd and kona send it:
 * `chainID` (or `chainId`) as a decimal or 0x-hex string, quantities as hex (a JSON integer is
 * accepted too), missing timeout = 0. chainID is required: without it a supervisor used to see
 * chain 0 and reject every valid message (optimism#19799), so we say so instead.
 */
export function parseExecutingDescriptor(value: unknown): ExecutingDescriptor {
  return parseDescriptor(value, false) as ExecutingDescriptor
}

/**
 * As parseExecutingDescriptor; with `allowMissingChainId` (op-interop-filter's legacy
 * check-access-list format) a descriptor without chainID is accepted and its chainId is undefined.
 */
export function parseDescriptor(
  value: unknown,
  allowMissingChainId: boolean,
): Omit<ExecutingDescriptor, 'chainId'> & { chainId: bigint | undefined } {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidParamsError('invalid executing descriptor: expected an object')
  const v = value as Record<string, unknown>
  const rawChain = v.chainID ?? v.chainId
  if ((rawChain === undefined || rawChain === null) && allowMissingChainId) {
    const timestamp = quantity(v.timestamp, 'timestamp')
    if (timestamp === undefined) throw new InvalidParamsError('invalid executing descriptor: missing timestamp')
    return { chainId: undefined, timestamp, timeout: quantity(v.timeout, 'timeout') ?? 0n }
  }
  if (rawChain === undefined || rawChain === null)
    throw new InvalidParamsError('invalid executing descriptor: missing chainID')
  let chainId: bigint
  try {
    chainId = parseChainId(rawChain)
  } catch (err) {
    throw new InvalidParamsError(`invalid executing descriptor: ${(err as IdentifierError).message}`)
  }
  const timestamp = quantity(v.timestamp, 'timestamp')
  if (timestamp === undefined) throw new InvalidParamsError('invalid executing descriptor: missing timestamp')
  return { chainId, timestamp, timeout: quantity(v.timeout, 'timeout') ?? 0n }
}

function quantity(value: unknown, field: string): bigint | undefined {
  if (value === undefined || value === null) return undefined
  let n: bigint
  if (typeof value === 'string' && /^0x[0-9a-fA-F]{1,16}$/.test(value)) n = BigInt(value)
  else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) n = BigInt(value)
  else
    throw new InvalidParamsError(
      `invalid executing descriptor: ${field} must be a hex uint64, got ${JSON.stringify(value)}`,
    )
  if (n > MAX_UINT64) throw new InvalidParamsError(`invalid executing descriptor: ${field} exceeds uint64`)
  return n
}
