import { bytesToHex, hexToBytes, isHex } from '../util/hex.js'
import { keccak256 } from '../util/keccak.js'
import { viemOpStack, viemUtils } from '../util/lazyViem.js'
import { txHash } from './blockSummary.js'
import { DEPOSIT_TX_TYPE } from './txType.js'
import type { Hex } from './types.js'

// In a module of its own so that the pool and execution code can name it without loading the parse (viem).
export { DEPOSIT_TX_TYPE }

/** What the engine-sim needs of a transaction, decoded once from its raw bytes. */
export type DecodedTx = {
  raw: Hex
  hash: Hex
  type: number
  /** Undefined for deposits and pre-EIP-155 legacy transactions. */
  chainId: number | undefined
  nonce: bigint
  gas: bigint
  to: Hex | null
  value: bigint
  data: Hex
  /** Legacy / EIP-2930 price; for EIP-1559 and later the fee cap. */
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
  accessList: readonly { address: Hex; storageKeys: readonly Hex[] }[]
  authorizations: number
  /** Deposits carry their sender; signed transactions get it by recovery. */
  depositFrom: Hex | undefined
  /** The viem parse, for building RPC transaction objects. */
  parsed: Record<string, unknown>
}

const TYPE_BY_NAME: Record<string, number> = {
  legacy: 0,
  eip2930: 1,
  eip1559: 2,
  eip4844: 3,
  eip7702: 4,
  deposit: DEPOSIT_TX_TYPE,
}

/** The EIP-2718 type number of a viem type name; undefined for one we do not know. */
export function txTypeNumber(name: unknown): number | undefined {
  return TYPE_BY_NAME[String(name)]
}

/**
 * The one transaction parse (viem/op-stack: signed types and deposits), shared by decodeTx (the
 * engine's view) and decodeTransaction (the mempool admission view). Throws viem's error.
 */
export function parseTx(raw: Hex): Record<string, unknown> {
  // Loaded on the first parse (util/lazyViem.ts): nothing is parsed before a role is healthy.
  return viemOpStack().parseTransaction(raw) as Record<string, unknown>
}

/** viem's short reason for a failed parse, never its multi-line text with docs links. */
export function parseFailure(err: unknown): string {
  const e = err as { shortMessage?: string; message?: string }
  return e.shortMessage ?? e.message ?? String(err)
}

/**
 * The transaction hash is keccak256 of the canonical encoding. A blob transaction in network
 * form (0x03 || rlp([tx, blobs, commitments, proofs])) hashes only 0x03 || rlp(tx), as geth does.
 * Throws TypeError on a malformed blob wrapper.
 */
export function canonicalTxHash(raw: Hex, parsed: Record<string, unknown>): Hex {
  if (parsed.type === 'eip4844' && parsed.sidecars !== undefined && parsed.sidecars !== false) {
    const outer = viemUtils().fromRlp(`0x${raw.slice(4)}`, 'hex')
    const inner = Array.isArray(outer) ? outer[0] : undefined
    if (!Array.isArray(inner)) throw new TypeError('malformed blob transaction wrapper')
    return bytesToHex(keccak256(hexToBytes(`0x03${viemUtils().toRlp(inner).slice(2)}`)))
  }
  return txHash(raw)
}

/** Decodes a raw transaction; throws TypeError with a short reason when it is not one. */
export function decodeTx(raw: unknown): DecodedTx {
  if (!isHex(raw) || raw.length < 4) throw new TypeError('transaction must be non-empty hex')
  let p: Record<string, unknown>
  try {
    p = parseTx(raw)
  } catch (err) {
    throw new TypeError(`undecodable transaction: ${parseFailure(err)}`)
  }
  const type = txTypeNumber(p.type)
  if (type === undefined) throw new TypeError(`unsupported transaction type ${String(p.type)}`)
  const big = (v: unknown) => (typeof v === 'bigint' ? v : 0n)
  const fee = type <= 1 ? big(p.gasPrice) : big(p.maxFeePerGas)
  return {
    raw,
    hash: canonicalTxHash(raw, p),
    type,
    chainId: typeof p.chainId === 'number' ? p.chainId : undefined,
    nonce: BigInt((p.nonce as number | undefined) ?? 0),
    gas: big(p.gas),
    to: (p.to as Hex | undefined) ?? null,
    value: big(p.value),
    data: (p.data as Hex | undefined) ?? '0x',
    maxFeePerGas: fee,
    maxPriorityFeePerGas: type <= 1 ? fee : big(p.maxPriorityFeePerGas),
    accessList: (p.accessList as DecodedTx['accessList'] | undefined) ?? [],
    authorizations: Array.isArray(p.authorizationList) ? p.authorizationList.length : 0,
    depositFrom: type === DEPOSIT_TX_TYPE ? (p.from as Hex) : undefined,
    parsed: p,
  }
}
