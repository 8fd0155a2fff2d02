import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import type { ExecutionPayloadV3, Hex } from '../engine/types.js'
import type { Submission } from '../pbs/index.js'
import { workerExecArgv } from '../util/workerExecArgv.js'
import { submissionBlockHash } from './cheapChecks.js'

/** The compiled worker next to this compiled module (Node 20 cannot load .ts workers). */
export const BLOCK_HASH_WORKER = fileURLToPath(new URL('../../workers/blockHash.js', import.meta.url))

export type BlockHashTask = { payload: ExecutionPayloadV3; parentBeaconBlockRoot: Hex; v4: boolean }

export type BlockHasherOptions = { threads: number; inlineMaxTxs: number }

/**
 * Recomputes submission block hashes. The transactions trie costs ~1.25 µs a transaction here
 * (0.2 ms at 200, 5 ms at 5000), and multi-millisecond hashes must not sit on the event loop that
 * serves op-node's getPayload: blocks above `inlineMaxTxs` are hashed on a small Piscina pool;
 * smaller ones inline, where a thread hop would cost more than the hash. `threads: 0` hashes everything inline.
 */
export class BlockHasher {
  readonly #o: BlockHasherOptions
  readonly #pooled: boolean
  #pool: Piscina | undefined
  #closed = false

  constructor(o: BlockHasherOptions) {
    this.#o = o
    this.#pooled = o.threads > 0 && existsSync(BLOCK_HASH_WORKER)
  }

  /**
   * Started on the first block above `inlineMaxTxs`, not at start: a worker thread loads its own
   * modules (~0.3 CPU-s), which nine sequencers of the 3×3 devnet paid at start for blocks that
   * an idle or lightly loaded chain never builds.
   */
  #spawn(): Piscina {
    this.#pool ??= new Piscina({
      filename: BLOCK_HASH_WORKER,
      minThreads: 1,
      maxThreads: this.#o.threads,
      idleTimeout: 60_000,
      execArgv: workerExecArgv(),
    })
    return this.#pool
  }

  hash(sub: Submission, v4: boolean): Hex | undefined | Promise<Hex | undefined> {
    if (!this.#pooled || this.#closed || sub.executionPayload.transactions.length <= this.#o.inlineMaxTxs)
      return submissionBlockHash(sub, v4)
    const task: BlockHashTask = { payload: sub.executionPayload, parentBeaconBlockRoot: sub.parentBeaconBlockRoot, v4 }
    return (this.#spawn().run(task) as Promise<Hex | null>).then(
      (h) => h ?? undefined,
      () => undefined,
    )
  }

  async close(): Promise<void> {
    this.#closed = true
    await this.#pool?.destroy()
  }
}
