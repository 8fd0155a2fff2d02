import { computeBlockHash } from '../engine/blockHash.js'
import { txHash } from '../engine/blockSummary.js'
import { ZERO_BLOOM } from '../engine/execution.js'
import { extraDataFor } from '../engine/feeParams.js'
import { type Fork, forkAtLeast, payloadVersion } from '../engine/fork.js'
import { EMPTY_TRIE_ROOT } from '../engine/trie.js'
import type { ExecutionPayloadV3, Hex } from '../engine/types.js'
import type { EvmReceipt } from '../evm/index.js'
import { bytesToHex, quantityToBigInt, toQuantity } from '../util/hex.js'
import { keccak256 } from '../util/keccak.js'

export const ZERO_HASH: Hex = `0x${'00'.repeat(32)}`

/** A block the engine-sim knows and has found valid. */
export type SimBlock = {
  readonly payload: ExecutionPayloadV3
  readonly parentBeaconBlockRoot: Hex
  /** Present (always []) for V4 / Isthmus blocks. */
  readonly executionRequests: Hex[] | undefined
  readonly hash: Hex
  readonly number: bigint
  readonly timestamp: bigint
  readonly gasLimit: bigint
  readonly gasUsed: bigint
  readonly baseFee: bigint
  readonly txHashes: readonly Hex[]
  /** EVM execution: the receipts (with logs), in transaction order; undefined under `--execution sim`. */
  readonly receipts: readonly EvmReceipt[] | undefined
}

export function toSimBlock(
  payload: ExecutionPayloadV3,
  parentBeaconBlockRoot: Hex,
  executionRequests: Hex[] | undefined,
  receipts?: readonly EvmReceipt[],
): SimBlock {
  return {
    payload,
    parentBeaconBlockRoot,
    executionRequests,
    hash: payload.blockHash.toLowerCase() as Hex,
    number: quantityToBigInt(payload.blockNumber),
    timestamp: quantityToBigInt(payload.timestamp),
    gasLimit: quantityToBigInt(payload.gasLimit),
    gasUsed: quantityToBigInt(payload.gasUsed),
    baseFee: quantityToBigInt(payload.baseFeePerGas),
    txHashes: payload.transactions.map(txHash),
    receipts,
  }
}

export type GenesisSpec = {
  chainId: number
  genesisTime: number
  gasLimit: bigint
  fork: Fork
  /** EVM execution: the genesis alloc's state root and header fields (src/evm/genesis.ts). */
  stateRoot?: Hex
  baseFee?: bigint
  extraData?: Hex
  mixHash?: Hex
  coinbase?: Hex
}

/**
 * Block 0, a pure function of the spec, so engine-sims started with the same flags share a genesis
 * and can replicate each other. Under `--execution sim` its state root is
 * keccak256("superguard-engine-sim:<chainId>"); base fee 1 gwei as in geth's genesis default.
 */
export function genesisBlock(spec: GenesisSpec): SimBlock {
  const isthmus = forkAtLeast(spec.fork, 'isthmus')
  const payload: ExecutionPayloadV3 = {
    parentHash: ZERO_HASH,
    feeRecipient: spec.coinbase ?? `0x${'00'.repeat(20)}`,
    stateRoot:
      spec.stateRoot ?? bytesToHex(keccak256(new TextEncoder().encode(`superguard-engine-sim:${spec.chainId}`))),
    receiptsRoot: EMPTY_TRIE_ROOT,
    logsBloom: ZERO_BLOOM,
    prevRandao: spec.mixHash ?? ZERO_HASH,
    blockNumber: '0x0',
    gasLimit: toQuantity(spec.gasLimit),
    gasUsed: '0x0',
    timestamp: toQuantity(spec.genesisTime),
    extraData: spec.extraData ?? extraDataFor(spec.fork, '0x0000000000000000', 0n),
    baseFeePerGas: toQuantity(spec.baseFee ?? 1_000_000_000n),
    blockHash: ZERO_HASH,
    transactions: [],
    withdrawals: [],
    blobGasUsed: '0x0',
    excessBlobGas: '0x0',
  }
  if (isthmus) payload.withdrawalsRoot = EMPTY_TRIE_ROOT
  const requests = payloadVersion(spec.fork) === 4 ? [] : undefined
  payload.blockHash = computeBlockHash(payload, ZERO_HASH, requests)
  return toSimBlock(payload, ZERO_HASH, requests)
}

export type InvalidRecord = { latestValidHash: Hex | null; reason: string }

/**
 * Every valid block the sim knows (any branch), the blocks it found invalid, and the canonical
 * chain chosen by forkchoice: head, safe and finalized, plus number → hash and tx → position
 * indexes over the canonical chain.
 */
export class Chain {
  readonly genesis: SimBlock
  #blocks = new Map<string, SimBlock>()
  #invalid = new Map<string, InvalidRecord>()
  #canonical: Hex[] = []
  #txIndex = new Map<string, { block: Hex; index: number }>()
  head: SimBlock
  safe: SimBlock
  finalized: SimBlock

  constructor(genesis: SimBlock) {
    this.genesis = genesis
    this.#blocks.set(genesis.hash, genesis)
    this.#canonical = [genesis.hash]
    this.head = this.safe = this.finalized = genesis
  }

  get(hash: string): SimBlock | undefined {
    return this.#blocks.get(hash.toLowerCase())
  }

  add(block: SimBlock): void {
    this.#blocks.set(block.hash, block)
  }

  invalid(hash: string): InvalidRecord | undefined {
    return this.#invalid.get(hash.toLowerCase())
  }

  markInvalid(hash: string, record: InvalidRecord): void {
    this.#invalid.set(hash.toLowerCase(), record)
  }

  /** The hash of the block numbered `n` among the 256 ancestors of `block` (BLOCKHASH), else undefined. */
  ancestorHash(block: SimBlock, n: bigint): Hex | undefined {
    if (n > block.number || n < block.number - 255n) return undefined
    let cursor: SimBlock | undefined = block
    while (cursor && cursor.number > n) cursor = this.#blocks.get(cursor.payload.parentHash.toLowerCase())
    return cursor?.hash
  }

  /** The state roots of every known block (any branch) numbered `min` or above. */
  stateRootsFrom(min: bigint): Hex[] {
    const out: Hex[] = []
    for (const b of this.#blocks.values()) if (b.number >= min) out.push(b.payload.stateRoot)
    return out
  }

  byNumber(n: bigint): SimBlock | undefined {
    const h = n >= 0n && n < BigInt(this.#canonical.length) ? this.#canonical[Number(n)] : undefined
    return h === undefined ? undefined : this.#blocks.get(h)
  }

  isCanonical(block: SimBlock): boolean {
    return this.#canonical[Number(block.number)] === block.hash
  }

  txPosition(hash: string): { block: SimBlock; index: number } | undefined {
    const at = this.#txIndex.get(hash.toLowerCase())
    const block = at && this.#blocks.get(at.block)
    return block && at ? { block, index: at.index } : undefined
  }

  /**
   * Makes `block` the head; returns the blocks that left and joined the canonical chain
   * (oldest first), so the mempool can drop included transactions.
   */
  setHead(block: SimBlock): { removed: SimBlock[]; added: SimBlock[] } {
    const added: SimBlock[] = []
    let cursor: SimBlock | undefined = block
    while (cursor && this.#canonical[Number(cursor.number)] !== cursor.hash) {
      added.unshift(cursor)
      cursor = this.#blocks.get(cursor.payload.parentHash.toLowerCase())
    }
    const forkPoint = cursor ? Number(cursor.number) : -1
    const removed: SimBlock[] = []
    for (let n = forkPoint + 1; n < this.#canonical.length; n++) removed.push(this.#blocks.get(this.#canonical[n]!)!)
    this.#canonical.length = forkPoint + 1
    for (const b of removed) for (const h of b.txHashes) this.#txIndex.delete(h)
    for (const b of added) {
      this.#canonical.push(b.hash)
      for (const [index, h] of b.txHashes.entries()) this.#txIndex.set(h, { block: b.hash, index })
    }
    this.head = block
    return { removed, added }
  }
}
