import { createHash } from 'node:crypto'
import type { Hex } from '../../src/interop/index.js'
import type { IndexedBlock, IndexedExecMsg } from '../../src/logindex/indexedBlock.js'
import type { LogStore } from '../../src/logindex/logStore.js'

const h = (s: string) => createHash('sha256').update(s).digest()

/**
 * A made-up chain written straight into a LogStore (no RPC): deterministic hashes per fork,
 * one checksum per log, and executing messages that reference its logs correctly or not.
 */
export class SyntheticChain {
  readonly key: number
  readonly chainId: bigint
  fork = 'a'
  readonly #store: LogStore
  readonly #ts = new Map<bigint, bigint>()
  readonly #built = new Map<bigint, Hex>()

  constructor(store: LogStore, chainId: bigint) {
    this.#store = store
    this.chainId = chainId
    this.key = store.registerChain(chainId).key
  }

  hash(n: bigint, fork = this.fork): Hex {
    return n < 0n ? `0x${'00'.repeat(32)}` : `0x${h(`${this.chainId}/${fork}/${n}`).toString('hex')}`
  }

  checksum(n: bigint, logIndex: number, fork = this.fork): Buffer {
    return h(`log ${this.chainId}/${fork}/${n}/${logIndex}`)
  }

  /** Block `n` at `timestamp` with `logs` logs, executing `execs`; its parent is the block n-1 built last. */
  block(
    n: bigint,
    timestamp: bigint,
    { logs = 1, execs = [] }: { logs?: number; execs?: IndexedExecMsg[] } = {},
  ): IndexedBlock {
    this.#ts.set(n, timestamp)
    this.#built.set(n, this.hash(n))
    const all = Array.from({ length: logs + execs.length }, (_, i) => ({
      logIndex: i,
      checksum: this.checksum(n, i),
      logHash: h(`lh${i}`),
    }))
    return {
      ref: { number: n, hash: this.hash(n), parentHash: this.#built.get(n - 1n) ?? this.hash(n - 1n), timestamp },
      logs: all,
      execMsgs: execs.map((m, i) => ({ ...m, logIndex: logs + i })),
    }
  }

  /** Appends blocks from..to, block n at timestamp base + 2n, each with one log. */
  appendRange(from: bigint, to: bigint, base = 1000n): void {
    const blocks: IndexedBlock[] = []
    for (let n = from; n <= to; n++) blocks.push(this.block(n, base + 2n * n))
    this.#store.appendBlocks(this.key, blocks)
  }

  append(...blocks: IndexedBlock[]): void {
    this.#store.appendBlocks(this.key, blocks)
  }

  /** An executing message (of another block) referencing log `logIndex` of block `n` of this chain. */
  exec(n: bigint, logIndex = 0, overrides: Partial<IndexedExecMsg> = {}): IndexedExecMsg {
    const ts = this.#ts.get(n)
    if (ts === undefined) throw new Error(`block ${n} of ${this.chainId} not built`)
    return {
      logIndex: 0,
      sourceChain: this.chainId,
      sourceBlock: n,
      sourceLogIndex: logIndex,
      sourceTimestamp: ts,
      checksum: this.checksum(n, logIndex),
      ...overrides,
    }
  }
}
