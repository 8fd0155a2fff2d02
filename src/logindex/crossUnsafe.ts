import type { Logger } from 'pino'
import type { BlockRef } from '../check/types.js'
import type { ExecMsgRow, LogStore } from './logStore.js'

export type CrossChain = { key: number; chainId: bigint }

/** What one executing message needs before its block can be cross-unsafe. */
export type Verdict = { kind: 'ok' } | { kind: 'pending'; reason: string } | { kind: 'invalid'; reason: string }

const OK: Verdict = { kind: 'ok' }

/**
 * Maintains each chain's cross-unsafe head from the ExecutingMessage events in the index.
 *
 * A block is cross-unsafe when its parent is and every executing message in it references a log
 * that is indexed with the expected checksum, whose timestamp is not after the block's and not
 * expired, and whose block is itself cross-unsafe. Dependencies within the same timestamp only
 * need to exist: requiring them to be cross-unsafe would deadlock on cycles (A and B executing each
 * other's logs at the same timestamp), and the RPC checks reject same-timestamp messages anyway.
 * A message referencing a block below the source chain's first indexed block (pruned, or before
 * the backfill) cannot be verified and is accepted when its timestamp is consistent.
 *
 * A pending message stops the advance until the index reaches it; an invalid one stops it for
 * as long as the data stays as it is (logged once). Nothing here is persisted except the heads,
 * so a reorg that makes a message valid (or invalid) is picked up on the next evaluation.
 */
export class CrossUnsafe {
  readonly #store: LogStore
  readonly #byKey = new Map<number, CrossChain>()
  readonly #byChainId = new Map<string, CrossChain>()
  readonly #expiryS: bigint
  readonly #log: Logger
  readonly #reported = new Set<string>()

  constructor(store: LogStore, chains: readonly CrossChain[], opts: { expirySeconds: bigint; logger: Logger }) {
    this.#store = store
    for (const c of chains) {
      this.#byKey.set(c.key, c)
      this.#byChainId.set(c.chainId.toString(), c)
    }
    this.#expiryS = opts.expirySeconds
    this.#log = opts.logger
  }

  /** Advances every chain as far as its dependencies allow; returns the chains whose head moved. */
  advanceAll(): CrossChain[] {
    const moved = new Set<CrossChain>()
    // Chains depend on each other: repeat until a full pass moves nothing (heads only grow, so this ends).
    for (let progress = true; progress; ) {
      progress = false
      for (const c of this.#byKey.values()) {
        if (this.advance(c.key)) {
          moved.add(c)
          progress = true
        }
      }
    }
    return [...moved]
  }

  /** Advances one chain's cross-unsafe head; true when it moved. */
  advance(key: number): boolean {
    const store = this.#store
    const unsafe = store.head(key, 'unsafe')
    if (!unsafe) return false
    const current = store.head(key, 'cross-unsafe')
    const first = store.firstBlock(key)
    if (!first) return false
    let reached = current ? current.number : first.number - 1n
    if (reached >= unsafe.number) return false
    for (;;) {
      const next = store.nextExecBlock(key, reached, unsafe.number)
      if (next === undefined) {
        reached = unsafe.number
        break
      }
      const verdict = this.#evaluateBlock(key, next)
      if (verdict.kind === 'ok') {
        reached = next
        continue
      }
      if (verdict.kind === 'invalid') this.#reportInvalid(key, next, verdict.reason)
      reached = next - 1n
      break
    }
    if (current && reached <= current.number) return false
    const ref: BlockRef | undefined = reached === unsafe.number ? unsafe : store.block(key, reached)
    if (!ref) return false
    store.setHead(key, 'cross-unsafe', ref)
    return true
  }

  /**
   * Pulls cross-unsafe heads back after chain `key` lost its blocks above `number` (a rewind, or
   * its own cross-unsafe head moving down): every chain with a cross-unsafe block that executes a
   * message from `key` above `number` goes back below its first such block, transitively.
   * Run it in the same transaction as the rewind.
   */
  pullBack(key: number, number: bigint): void {
    const store = this.#store
    store.transaction(() => {
      const queue: [number, bigint][] = [[key, number]]
      for (let item = queue.pop(); item; item = queue.pop()) {
        const [k, n] = item
        const own = store.head(k, 'cross-unsafe')
        if (own && own.number > n) store.setHead(k, 'cross-unsafe', store.block(k, n))
        const chain = this.#byKey.get(k)
        if (!chain) continue
        for (const d of store.dependents(chain.chainId, n)) {
          const dk = Number(d.chain)
          const head = store.head(dk, 'cross-unsafe')
          if (head && head.number >= d.first) queue.push([dk, d.first - 1n])
        }
      }
    })
  }

  /** Verdict for block `number` of chain `key`, every earlier block of the chain being cross-unsafe. */
  #evaluateBlock(key: number, number: bigint): Verdict {
    const block = this.#store.block(key, number)
    if (!block) return { kind: 'pending', reason: `block ${number} not indexed` }
    let pending: Verdict | undefined
    for (const m of this.#store.execMsgsOfBlock(key, number)) {
      const v = this.evaluate(key, block.timestamp, m, number - 1n)
      if (v.kind === 'invalid') return { kind: 'invalid', reason: `log ${m.log_index}: ${v.reason}` }
      if (v.kind === 'pending') pending ??= v
    }
    return pending ?? OK
  }

  /** Verdict for one executing message of chain `key` in a block at `execTs`; the chain is cross-unsafe up to `reached`. */
  evaluate(key: number, execTs: bigint, m: ExecMsgRow, reached: bigint): Verdict {
    const store = this.#store
    const src = this.#byChainId.get(m.source_chain)
    if (!src) return { kind: 'invalid', reason: `chain ${m.source_chain} is not in the dependency set` }
    if (m.source_timestamp > execTs)
      return {
        kind: 'invalid',
        reason: `initiating timestamp ${m.source_timestamp} after executing timestamp ${execTs}`,
      }
    if (m.source_timestamp + this.#expiryS < execTs)
      return { kind: 'invalid', reason: `message expired at ${m.source_timestamp + this.#expiryS}` }
    const srcHead = store.head(src.key, 'unsafe')
    if (!srcHead || m.source_block > srcHead.number) {
      // A later block cannot have an earlier timestamp than the head: such an identifier never matches.
      if (srcHead && srcHead.timestamp > m.source_timestamp)
        return {
          kind: 'invalid',
          reason: `block ${m.source_block} of chain ${m.source_chain} cannot have timestamp ${m.source_timestamp}`,
        }
      return { kind: 'pending', reason: `chain ${m.source_chain} not indexed up to block ${m.source_block}` }
    }
    const first = store.firstBlock(src.key)
    if (first && m.source_block < first.number) {
      return m.source_timestamp <= first.timestamp
        ? OK
        : {
            kind: 'invalid',
            reason: `block ${m.source_block} of chain ${m.source_chain} cannot have timestamp ${m.source_timestamp}`,
          }
    }
    const log = store.findLog(src.key, m.source_block, Number(m.source_log_index))
    if (!log)
      return {
        kind: 'invalid',
        reason: `no log ${m.source_log_index} in block ${m.source_block} of chain ${m.source_chain}`,
      }
    if (!log.checksum.equals(m.checksum))
      return {
        kind: 'invalid',
        reason: `checksum mismatch for log ${m.source_log_index} in block ${m.source_block} of chain ${m.source_chain}`,
      }
    if (m.source_timestamp === execTs) return OK
    const srcCross = src.key === key ? reached : store.head(src.key, 'cross-unsafe')?.number
    if (srcCross === undefined || srcCross < m.source_block)
      return { kind: 'pending', reason: `block ${m.source_block} of chain ${m.source_chain} not cross-unsafe yet` }
    return OK
  }

  #reportInvalid(key: number, number: bigint, reason: string): void {
    const block = this.#store.block(key, number)
    const id = `${key}/${number}/${block?.hash}`
    if (this.#reported.has(id)) return
    this.#reported.add(id)
    this.#log.warn(
      { chainId: this.#byKey.get(key)?.chainId.toString(), block: number.toString(), hash: block?.hash, reason },
      'invalid executing message: cross-unsafe head stops here',
    )
  }
}
