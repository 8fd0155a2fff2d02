import type { BlockRef, HeadLevel, LogReader, StoredLog } from '../../src/check/types.js'
import { accessFor, type Hex, type Identifier } from '../../src/interop/index.js'
import { hexToBytes } from '../../src/util/hex.js'

type FakeChain = {
  ready: boolean
  blocks: Map<bigint, BlockRef>
  logs: Map<string, StoredLog>
  heads: Partial<Record<HeadLevel, bigint>>
}

/**
 * An in-memory LogReader for unit tests of the supervisor core: chains, blocks, logs and heads
 * are set by hand. Stored checksums are computed as the index computes them (accessFor).
 */
export class FakeLogReader implements LogReader {
  readonly #chains = new Map<bigint, FakeChain>()

  addChain(chainId: bigint, opts: { ready?: boolean } = {}): this {
    this.#chains.set(chainId, { ready: opts.ready ?? true, blocks: new Map(), logs: new Map(), heads: {} })
    return this
  }

  setReady(chainId: bigint, ready: boolean): void {
    this.#chain(chainId).ready = ready
  }

  /** Adds block `number` with `timestamp`; the unsafe head follows the highest block added. */
  addBlock(chainId: bigint, number: bigint, timestamp: bigint): BlockRef {
    const c = this.#chain(chainId)
    const ref: BlockRef = {
      number,
      hash: fakeHash(chainId, number),
      parentHash: fakeHash(chainId, number - 1n),
      timestamp,
    }
    c.blocks.set(number, ref)
    if (c.heads.unsafe === undefined || number > c.heads.unsafe) c.heads.unsafe = number
    return ref
  }

  /** Stores the initiating message's log (its block must exist) and returns the message. */
  addMessage(id: Identifier, payloadHash: Hex): { identifier: Identifier; payloadHash: Hex } {
    const c = this.#chain(id.chainId)
    const block = c.blocks.get(id.blockNumber)
    if (!block) throw new Error(`block ${id.blockNumber} of chain ${id.chainId} not added`)
    c.logs.set(`${id.blockNumber}/${id.logIndex}`, {
      checksum: Buffer.from(hexToBytes(accessFor(id, payloadHash).checksum)),
      timestamp: block.timestamp,
    })
    return { identifier: id, payloadHash }
  }

  setHead(chainId: bigint, level: HeadLevel, number: bigint | undefined): void {
    this.#chain(chainId).heads[level] = number
  }

  chains(): readonly bigint[] {
    return [...this.#chains.keys()]
  }

  isReady(chainId: bigint): boolean {
    return this.#chains.get(chainId)?.ready ?? false
  }

  head(chainId: bigint, level: HeadLevel): BlockRef | undefined {
    const c = this.#chains.get(chainId)
    const n = c?.heads[level]
    return n === undefined ? undefined : c!.blocks.get(n)
  }

  block(chainId: bigint, number: bigint): BlockRef | undefined {
    return this.#chains.get(chainId)?.blocks.get(number)
  }

  findLog(chainId: bigint, blockNumber: bigint, logIndex: number): StoredLog | undefined {
    return this.#chains.get(chainId)?.logs.get(`${blockNumber}/${logIndex}`)
  }

  snapshot<T>(fn: () => T): T {
    return fn()
  }

  #chain(chainId: bigint): FakeChain {
    const c = this.#chains.get(chainId)
    if (!c) throw new Error(`chain ${chainId} not added`)
    return c
  }
}

function fakeHash(chainId: bigint, number: bigint): Hex {
  return `0x${chainId.toString(16).padStart(16, '0')}${(number < 0n ? 0n : number).toString(16).padStart(48, '0')}`
}
