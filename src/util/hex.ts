/** Hex helpers for the hot paths: no validation beyond what the caller asks for, no allocations to spare. */

const HEX = /^0x[0-9a-fA-F]*$/

export function isHex(value: unknown, bytes?: number): value is `0x${string}` {
  if (typeof value !== 'string' || !HEX.test(value)) return false
  return bytes === undefined ? value.length % 2 === 0 : value.length === 2 + bytes * 2
}

/** A hex digit's value from its character code, or -1 (either case). */
export function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  const l = c | 32
  return l >= 97 && l <= 102 ? l - 87 : -1
}

export function hexToBytes(hex: string): Uint8Array {
  return Buffer.from(hex.startsWith('0x') ? hex.slice(2) : hex, 'hex')
}

export function bytesToHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`
}

/**
 * A client's value for an error message: strings quoted and cut to 64 characters, anything else
 * by its type. Never JSON.stringify a client value: 60k nested arrays overflow the stack.
 */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value)
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}

/** A JSON-RPC quantity ("0x1a") as bigint; throws TypeError on anything else. */
export function quantityToBigInt(value: unknown): bigint {
  if (typeof value !== 'string' || !/^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/.test(value))
    throw new TypeError(`invalid quantity ${describe(value)}`)
  return BigInt(value)
}

export function toQuantity(value: bigint | number): `0x${string}` {
  return `0x${value.toString(16)}`
}
