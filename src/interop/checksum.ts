import { keccak256 } from '../util/keccak.js'

export type ChecksumArgs = {
  logHash: Uint8Array
  blockNumber: bigint
  timestamp: bigint
  logIndex: number
  chainId: bigint
}

/**
 * The type-3 access-list checksum (specs predeploys.md):
 *   idPacked     = bytes12(0) ++ u64(blockNumber) ++ u64(timestamp) ++ u32(logIndex)
 *   idLogHash    = keccak256(logHash ++ idPacked)
 *   checksum     = 0x03 ++ keccak256(idLogHash ++ u256(chainId))[1:]
 */
export function checksum(args: ChecksumArgs): Uint8Array {
  const buf = new Uint8Array(64)
  const view = new DataView(buf.buffer)
  buf.set(args.logHash, 0)
  view.setBigUint64(44, args.blockNumber)
  view.setBigUint64(52, args.timestamp)
  view.setUint32(60, args.logIndex)
  const idLogHash = keccak256(buf)
  buf.set(idLogHash, 0)
  writeU256(view, 32, args.chainId)
  const out = keccak256(buf)
  out[0] = 0x03
  return out
}

function writeU256(view: DataView, offset: number, value: bigint): void {
  for (let i = 3; i >= 0; i--) {
    view.setBigUint64(offset + i * 8, value & 0xffff_ffff_ffff_ffffn)
    value >>= 64n
  }
}
