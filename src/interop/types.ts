export type Hex = `0x${string}`

/** A message identifier (specs/interop/messaging.md); numeric widths as the access-list encoding restricts them. */
export type Identifier = {
  /** Lower-case 20-byte address that emitted the initiating log. */
  origin: Hex
  blockNumber: bigint
  /** Block-level log index (uint32). */
  logIndex: number
  timestamp: bigint
  chainId: bigint
}

/** One parsed access: what a lookup (+ extension) and checksum entry declare. */
export type Access = {
  chainId: bigint
  blockNumber: bigint
  timestamp: bigint
  logIndex: number
  /** The type-3 checksum entry, lower-case hex. */
  checksum: Hex
}

/** A log as eth_getLogs returns it, the fields the codec reads. */
export type LogLike = { address: string; topics: readonly string[]; data: string }
