import type { BlockRef, HeadLevel } from '../check/types.js'
import { type BlockRow, blockParams, blockRefFromRow } from './blockRow.js'
import type { ChainState } from './chainState.js'
import { HEAD_LEVELS } from './chainState.js'
import { WriteInReadError } from './errors.js'
import type { IndexedBlock } from './indexedBlock.js'
import type { Db } from './openDb.js'
import { LOG_ROWS_PER_INSERT, prepareStatements, type Statements } from './statements.js'
import { endTurnSnapshot } from './turnSnapshot.js'

export type ChainRecord = { key: number; chainId: bigint; ready: boolean; backfillStart: bigint | undefined }

/** The chain's own `safe` / `finalized` blocks as last polled; stored capped at the indexed head. */
export type ChainTags = { safe?: BlockRef | undefined; finalized?: BlockRef | undefined }

/** Columns of a logs row: chain, block_number, log_index, checksum, timestamp. */
const LOG_COLUMNS = 5

type HeadChanges = Map<number, Map<HeadLevel, BlockRef | null>>

/**
 * One prune step: ~20,000 log rows are ~40 ms of deletes at the ~480k rows/s measured on this box
 * (bench:scale, 9M logs); 20,000 blocks bound a chain with few logs a block (a block row each).
 */
export const PRUNE_STEP = { logs: 20_000, blocks: 20_000 } as const

/**
 * The single writer of the index. Every change that moves a head runs in one transaction with
 * the rows it covers, so a crash leaves either all of a commit or none of it. Heads are kept in
 * memory too (applied only after the transaction commits) so readers in this process never query them.
 */
export class LogStore implements ChainState {
  readonly db: Db
  readonly #st: Statements
  readonly #heads = new Map<number, Map<HeadLevel, BlockRef>>()
  readonly #ready = new Map<number, boolean>()
  #pending: HeadChanges | undefined
  readonly #run: (fn: () => unknown) => unknown
  /** Parameters of one multi-row log INSERT, reused across calls. */
  readonly #logArgs: unknown[] = new Array(LOG_ROWS_PER_INSERT * LOG_COLUMNS)

  constructor(db: Db) {
    this.db = db
    this.#st = prepareStatements(db)
    this.#run = db.transaction((fn: () => unknown) => fn())
  }

  /** Finds or creates the chain's row and loads its heads into memory. */
  registerChain(chainId: bigint): ChainRecord {
    let row = this.#st.chainByChainId.get(chainId.toString()) as
      | { id: bigint; ready: bigint; backfill_start: bigint | null }
      | undefined
    if (!row) {
      this.#beforeWrite()
      this.#st.insertChain.run(chainId.toString())
      row = this.#st.chainByChainId.get(chainId.toString()) as {
        id: bigint
        ready: bigint
        backfill_start: bigint | null
      }
    }
    const key = Number(row.id)
    const heads = new Map<HeadLevel, BlockRef>()
    for (const h of this.#st.headsOfChain.all(key) as (BlockRow & { level: HeadLevel })[])
      heads.set(h.level, blockRefFromRow(h))
    this.#heads.set(key, heads)
    this.#ready.set(key, row.ready === 1n)
    return { key, chainId, ready: row.ready === 1n, backfillStart: row.backfill_start ?? undefined }
  }

  /** Runs `fn` in one transaction (nested calls join the outer one); head changes reach memory on commit. */
  transaction<T>(fn: () => T): T {
    if (this.#pending) return this.#run(fn) as T
    this.#beforeWrite()
    this.#pending = new Map()
    try {
      const out = this.#run(fn) as T
      for (const [key, levels] of this.#pending) {
        const heads = this.#heads.get(key) ?? new Map<HeadLevel, BlockRef>()
        this.#heads.set(key, heads)
        for (const [level, ref] of levels) ref ? heads.set(level, ref) : heads.delete(level)
      }
      return out
    } finally {
      this.#pending = undefined
    }
  }

  /**
   * Before a write outside this store's own transaction: ends the read snapshot a reader holds on
   * this connection (TurnSnapshot), so the write is a transaction of its own that reaches the file
   * on its commit. A write inside a read transaction would be a savepoint in it: invisible to other
   * connections until the read ends, and gone if the read is rolled back (an I/O error) while the
   * in-memory heads already point at its rows. Refused rather than nested.
   */
  #beforeWrite(): void {
    if (this.#pending) return
    endTurnSnapshot(this.db)
    if (this.db.inTransaction) throw new WriteInReadError()
  }

  head(key: number, level: HeadLevel): BlockRef | undefined {
    const pending = this.#pending?.get(key)?.get(level)
    if (pending !== undefined) return pending ?? undefined
    return this.#heads.get(key)?.get(level)
  }

  isReady(key: number): boolean {
    return this.#ready.get(key) ?? false
  }

  block(key: number, number: bigint): BlockRef | undefined {
    const row = this.#st.block.get(key, number) as BlockRow | undefined
    return row && blockRefFromRow(row)
  }

  firstBlock(key: number): BlockRef | undefined {
    const row = this.#st.firstBlock.get(key) as BlockRow | undefined
    return row && blockRefFromRow(row)
  }

  /** Stored hashes of blocks lo..hi, highest first (common-ancestor search). */
  hashesDesc(key: number, lo: bigint, hi: bigint): { number: bigint; hash: Buffer }[] {
    return this.#st.blockHashesDesc.all(key, lo, hi) as { number: bigint; hash: Buffer }[]
  }

  setHead(key: number, level: HeadLevel, ref: BlockRef | undefined): void {
    this.transaction(() => {
      if (ref) this.#st.upsertHead.run(key, level, ...blockParams(ref))
      else this.#st.deleteHead.run(key, level)
      this.#pending!.set(key, (this.#pending!.get(key) ?? new Map()).set(level, ref ?? null))
    })
  }

  setReady(key: number, ready = true): void {
    this.#beforeWrite()
    this.#st.setReady.run(ready ? 1 : 0, key)
    this.#ready.set(key, ready)
  }

  setBackfillStart(key: number, number: bigint): void {
    this.#beforeWrite()
    this.#st.setBackfillStart.run(number, key)
  }

  /**
   * Appends consecutive blocks on top of the unsafe head and moves it, in one transaction.
   * Throws when the first block does not link to the head: the caller checks for reorgs first,
   * this is the invariant that keeps the stored chain linked.
   */
  appendBlocks(key: number, blocks: readonly IndexedBlock[], tags: ChainTags = {}): void {
    if (blocks.length === 0) return
    this.transaction(() => {
      const tip = this.head(key, 'unsafe')
      const first = blocks[0]!.ref
      if (tip && (first.number !== tip.number + 1n || first.parentHash !== tip.hash)) {
        throw new Error(`block ${first.number} does not extend the indexed head ${tip.number}`)
      }
      const st = this.#st
      // Logs go LOG_ROWS_PER_INSERT rows per statement, across block boundaries; the tail one by one.
      const args = this.#logArgs
      let pending = 0
      for (const b of blocks) {
        const [number, hash, parent, ts] = blockParams(b.ref)
        st.insertBlock.run(key, number, hash, parent, ts)
        for (const l of b.logs) {
          const o = pending * LOG_COLUMNS
          args[o] = key
          args[o + 1] = number
          args[o + 2] = l.logIndex
          args[o + 3] = l.checksum
          args[o + 4] = ts
          if (++pending === LOG_ROWS_PER_INSERT) {
            st.insertLogs.run(args)
            pending = 0
          }
        }
        for (const m of b.execMsgs) {
          st.insertExecMsg.run(
            key,
            number,
            m.logIndex,
            m.sourceChain.toString(),
            m.sourceBlock,
            m.sourceLogIndex,
            m.sourceTimestamp,
            m.checksum,
          )
        }
      }
      for (let i = 0; i < pending; i++) {
        const o = i * LOG_COLUMNS
        st.insertLog.run(args[o], args[o + 1], args[o + 2], args[o + 3], args[o + 4])
      }
      args.fill(undefined) // do not keep the last range's buffers alive
      this.setHead(key, 'unsafe', blocks.at(-1)!.ref)
      this.setTags(key, tags)
    })
  }

  /** Moves `safe` / `finalized` to the chain's tags, capped at the indexed head; a tag on another fork is ignored. */
  setTags(key: number, tags: ChainTags): void {
    const tip = this.head(key, 'unsafe')
    if (!tip) return
    this.transaction(() => {
      for (const level of ['safe', 'finalized'] as const) {
        const tag = tags[level]
        if (!tag) continue
        const ref = tag.number >= tip.number ? tip : this.block(key, tag.number)
        if (!ref || (tag.number <= tip.number && ref.hash !== tag.hash)) continue
        const current = this.head(key, level)
        if (current?.hash !== ref.hash) this.setHead(key, level, ref)
      }
    })
  }

  /**
   * Deletes every block above `number` with its logs and executing messages and pulls every
   * head of the chain down to it (or removes them when `number` is below the first stored block).
   */
  rewind(key: number, number: bigint): void {
    this.transaction(() => {
      this.#st.deleteExecMsgsAbove.run(key, number)
      this.#st.deleteLogsAbove.run(key, number)
      this.#st.deleteBlocksAbove.run(key, number)
      const to = this.block(key, number)
      for (const level of HEAD_LEVELS) {
        const h = this.head(key, level)
        if (h && h.number > number) this.setHead(key, level, to)
      }
    })
  }

  /**
   * Deletes blocks (with logs and executing messages) whose timestamp is before `beforeTimestamp`,
   * never the indexed head, oldest first and at most one step per call: whole blocks holding at most
   * `step.logs` logs (or one block, if that alone holds more) and at most `step.blocks` blocks. A
   * step is one transaction on the thread that answers checks, so it is bounded: a day of logs at
   * 100M-log density (14M rows) took 150 s in one transaction (bench:scale). Returns the first
   * block number kept and whether expired blocks remain, or undefined when nothing was pruned.
   */
  prune(
    key: number,
    beforeTimestamp: bigint,
    step: { logs: number; blocks: number } = PRUNE_STEP,
  ): { firstKept: bigint; done: boolean } | undefined {
    const tip = this.head(key, 'unsafe')
    const first = this.firstBlock(key)
    if (!tip || !first || first.timestamp >= beforeTimestamp) return undefined
    const recent = this.#st.firstBlockAtOrAfter.get(key, beforeTimestamp) as { number: bigint } | undefined
    const expired = recent && recent.number < tip.number ? recent.number : tip.number
    if (expired <= first.number) return undefined
    let keep = expired
    const byBlocks = first.number + BigInt(step.blocks)
    if (byBlocks < keep) keep = byBlocks
    const byLogs = this.#st.logBlockAtOffset.get(key, first.number, step.logs) as { number: bigint } | undefined
    if (byLogs && byLogs.number < keep) keep = byLogs.number > first.number ? byLogs.number : first.number + 1n
    this.transaction(() => {
      this.#st.deleteExecMsgsBelow.run(key, keep)
      this.#st.deleteLogsBelow.run(key, keep)
      this.#st.deleteBlocksBelow.run(key, keep)
    })
    return { firstKept: keep, done: keep === expired }
  }

  /** First block (by number) of any executing message of `key` in (after, upTo]. */
  nextExecBlock(key: number, after: bigint, upTo: bigint): bigint | undefined {
    const row = this.#st.nextExecBlock.get(key, after, upTo) as { number: bigint | null }
    return row.number ?? undefined
  }

  execMsgsOfBlock(key: number, number: bigint): ExecMsgRow[] {
    return this.#st.execMsgsOfBlock.all(key, number) as ExecMsgRow[]
  }

  /** Per chain, the first block holding an executing message that references `sourceChain` above `after`. */
  dependents(sourceChain: bigint, after: bigint): { chain: bigint; first: bigint }[] {
    return this.#st.dependents.all(sourceChain.toString(), after) as { chain: bigint; first: bigint }[]
  }

  findLog(key: number, blockNumber: bigint, logIndex: number): { checksum: Buffer; timestamp: bigint } | undefined {
    return this.#st.findLog.get(key, blockNumber, logIndex) as { checksum: Buffer; timestamp: bigint } | undefined
  }
}

export type ExecMsgRow = {
  log_index: bigint
  source_chain: string
  source_block: bigint
  source_log_index: bigint
  source_timestamp: bigint
  checksum: Buffer
}
