import { createHash } from 'node:crypto'
import { bytesToHex, hexToBytes, quantityToBigInt } from '../util/hex.js'
import { keccak256 } from '../util/keccak.js'
import { type BlockHeader, withHeaderRlp } from './headerRlp.js'
import { rlpEncode } from './rlp.js'
import { orderedTrieRoot } from './trie.js'
import type { ExecutionPayloadV3, Hex, WithdrawalV1 } from './types.js'

export { type BlockHeader, encodeHeader } from './headerRlp.js'

/**
 * Block hashes from Engine API payloads, with no execution: the header is rebuilt from the payload
 * fields plus what the payload leaves out (transactions root, ommers hash, difficulty, nonce,
 * parent beacon block root, requests hash), RLP-encoded and hashed.
 *
 * Header fields by fork (each fork appends to the previous list):
 *   London/Bedrock:  parentHash … nonce, baseFeePerGas
 *   Shanghai/Canyon: withdrawalsRoot (OP: MPT root of the always-empty withdrawals list)
 *   Cancun/Ecotone:  blobGasUsed, excessBlobGas, parentBeaconBlockRoot
 *   Prague/Isthmus:  requestsHash (OP: always sha256("") since executionRequests is always []);
 *                    on OP Isthmus the header's withdrawalsRoot is the payload's `withdrawalsRoot`
 *                    (the L2ToL1MessagePasser storage root), not the root of the withdrawals list.
 *   (Jovian changes no header field: it reuses extraData and blobGasUsed.)
 * A V3 payload (blobGasUsed present, parentBeaconBlockRoot given) is at least Cancun/Ecotone.
 */

/** keccak256(rlp([])): the ommers hash of every post-merge block. */
export const EMPTY_OMMERS_HASH: Hex = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347'
/** sha256(""): the EIP-7685 requests hash of an empty request list (every OP Isthmus block). */
export const EMPTY_REQUESTS_HASH: Hex = '0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/** Minimal big-endian bytes of a non-negative integer (0 → empty), as RLP wants scalars. */
export function scalarBytes(n: bigint): Uint8Array {
  if (n < 0n) throw new RangeError('negative scalar')
  if (n === 0n) return new Uint8Array(0)
  let hex = n.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  return Buffer.from(hex, 'hex')
}

/** Transactions root: ordered trie, keys rlp(index), values the raw EIP-2718 transaction bytes. */
export function transactionsRoot(txs: readonly Hex[]): Hex {
  return orderedTrieRoot(txs.map(hexToBytes))
}

/** Withdrawals root: ordered trie of rlp([index, validatorIndex, address, amount]). */
export function withdrawalsRoot(ws: readonly WithdrawalV1[]): Hex {
  return orderedTrieRoot(
    ws.map((w) =>
      rlpEncode([
        scalarBytes(quantityToBigInt(w.index)),
        scalarBytes(quantityToBigInt(w.validatorIndex)),
        hexToBytes(w.address),
        scalarBytes(quantityToBigInt(w.amount)),
      ]),
    ),
  )
}

/** EIP-7685 requests hash: sha256 over sha256(request) of each request with data (type byte + ≥1 byte). */
export function requestsHash(executionRequests: readonly Hex[]): Hex {
  const outer = createHash('sha256')
  for (const r of executionRequests) {
    const bytes = hexToBytes(r)
    if (bytes.length > 1) outer.update(createHash('sha256').update(bytes).digest())
  }
  return bytesToHex(outer.digest())
}

/**
 * The header a payload commits to. `requestsHash` makes it a Prague/Isthmus header; the OP Isthmus
 * `withdrawalsRoot` payload field, when present, replaces the withdrawals-list root.
 */
export function headerFromPayload(payload: ExecutionPayloadV3, parentBeaconBlockRoot: Hex, reqHash?: Hex): BlockHeader {
  const header: BlockHeader = {
    parentHash: payload.parentHash,
    ommersHash: EMPTY_OMMERS_HASH,
    beneficiary: payload.feeRecipient,
    stateRoot: payload.stateRoot,
    transactionsRoot: transactionsRoot(payload.transactions),
    receiptsRoot: payload.receiptsRoot,
    logsBloom: payload.logsBloom,
    difficulty: 0n,
    number: quantityToBigInt(payload.blockNumber),
    gasLimit: quantityToBigInt(payload.gasLimit),
    gasUsed: quantityToBigInt(payload.gasUsed),
    timestamp: quantityToBigInt(payload.timestamp),
    extraData: payload.extraData,
    mixHash: payload.prevRandao,
    nonce: '0x0000000000000000',
    baseFeePerGas: quantityToBigInt(payload.baseFeePerGas),
    withdrawalsRoot: payload.withdrawalsRoot ?? withdrawalsRoot(payload.withdrawals),
    blobGasUsed: quantityToBigInt(payload.blobGasUsed),
    excessBlobGas: quantityToBigInt(payload.excessBlobGas),
    parentBeaconBlockRoot,
  }
  if (reqHash !== undefined) header.requestsHash = reqHash
  return header
}

export function hashHeader(h: BlockHeader): Hex {
  return withHeaderRlp(h, (rlp) => bytesToHex(keccak256(rlp)))
}

/**
 * The block hash a payload must carry. Pass `executionRequests` (V4 / Prague / Isthmus: `[]` on OP)
 * to include the requests hash; leave it out for V3 (Cancun / Ecotone…Holocene) payloads.
 */
export function computeBlockHash(
  payload: ExecutionPayloadV3,
  parentBeaconBlockRoot: Hex,
  executionRequests?: readonly Hex[],
): Hex {
  // Every OP Isthmus payload has no requests: the constant, not a sha256 per submission.
  const reqHash =
    executionRequests === undefined
      ? undefined
      : executionRequests.length === 0
        ? EMPTY_REQUESTS_HASH
        : requestsHash(executionRequests)
  return hashHeader(headerFromPayload(payload, parentBeaconBlockRoot, reqHash))
}
