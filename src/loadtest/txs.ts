import { VALIDATE_MESSAGE_SELECTOR } from '../evm/contracts.js'
import { accessFor, CROSS_L2_INBOX, encodeAccess, encodeIdentifier, type Hex, payloadHash } from '../interop/index.js'
import { bytesToHex } from '../util/hex.js'
import { keccak256 } from '../util/keccak.js'
import type { HarvestedLog } from './harvest.js'

export const SINK = '0x000000000000000000000000000000000000dead' as Hex
export const TRANSFER_GAS = 21_000n
/** An inbox call with a 3-entry access list: 21,000 + 2,400 (address) + 3 × 1,900 (keys), with room. */
export const INTEROP_GAS = 60_000n

/** The fields of a transaction that executes `log` through the CrossL2Inbox (to, gas, access list, optional calldata). */
export type InteropFields = {
  to: Hex
  gas: bigint
  accessList: { address: Hex; storageKeys: Hex[] }[]
  data?: Hex
}

/**
 * An interop transaction's fields: the access list declares `log` (lookup, chain-id extension when
 * needed, checksum); a forged one declares the checksum of another payload (keccak of the real hash
 * and `salt`), which no supervisor can find. With `call`, the calldata is validateMessage(id, hash)
 * as a real executing transaction makes (the inbox emits ExecutingMessage); without, no calldata (the
 * ingress load test: the access list is all an ingress reads).
 */
export function interopFields(log: HarvestedLog, forged: boolean, salt: number, call = false): InteropFields {
  const id = {
    origin: log.origin,
    blockNumber: log.blockNumber,
    logIndex: log.logIndex,
    timestamp: log.timestamp,
    chainId: log.chainId,
  }
  const hash = payloadHash(log)
  const declared = forged ? keccak256(new Uint8Array([...hash, salt & 0xff])) : hash
  const access = accessFor(id, declared)
  return {
    to: CROSS_L2_INBOX,
    gas: INTEROP_GAS,
    accessList: [{ address: CROSS_L2_INBOX, storageKeys: encodeAccess(access) }],
    ...(call
      ? { data: `${VALIDATE_MESSAGE_SELECTOR}${encodeIdentifier(id).slice(2)}${bytesToHex(hash).slice(2)}` as Hex }
      : {}),
  }
}
