import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import { workerExecArgv } from '../util/workerExecArgv.js'
import type {
  BlockHashesResult,
  BlockHashesTask,
  ChunkResult,
  SweepChunk,
  TxpoolResult,
  TxpoolTask,
} from './protocol.js'

/**
 * Compiled worker files, next to this compiled module: the tree under dist/ (and under any
 * `tsc --outDir`) mirrors the source tree. Node 20 cannot load .ts workers, so running the sweep
 * from sources under a TS loader is not supported; run the build.
 */
export const SWEEP_WORKER = fileURLToPath(new URL('../../workers/sweep.js', import.meta.url))
export const TXPOOL_WORKER = fileURLToPath(new URL('../../workers/txpool.js', import.meta.url))

export type SweepPoolOptions = {
  /** Worker threads (default: available parallelism). */
  threads?: number
  /** Tasks a worker runs at once: 1 for CPU-bound modes (index), more for I/O-bound ones. */
  tasksPerWorker?: number
  /** Tasks waiting in piscina's queue; beyond it runs wait here, in order (default threads², piscina's advice). */
  maxQueue?: number
  /** Idle workers are kept (they hold the database handle and keep-alive sockets) for this long. */
  idleTimeoutMs?: number
}

/**
 * The sweep's Piscina pool. Chunk buffers are transferred, never copied. Waiting runs are
 * queued here rather than refused, so a round of any size can be submitted at once while
 * piscina's own queue stays at `maxQueue`.
 */
export class SweepPool {
  readonly threads: number
  readonly #piscina: Piscina
  readonly #limit: number
  #active = 0
  readonly #waiting: (() => void)[] = []
  #closed = false

  constructor(opts: SweepPoolOptions = {}) {
    for (const f of [SWEEP_WORKER, TXPOOL_WORKER]) {
      if (!existsSync(f))
        throw new Error(`sweep worker ${f} not found: run the build (Node 20 cannot load .ts workers)`)
    }
    if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 1))
      throw new TypeError('options.threads must be a positive integer')
    if (opts.tasksPerWorker !== undefined && (!Number.isInteger(opts.tasksPerWorker) || opts.tasksPerWorker < 1))
      throw new TypeError('options.tasksPerWorker must be a positive integer')
    this.threads = opts.threads ?? Math.max(1, availableParallelism())
    const tasksPerWorker = opts.tasksPerWorker ?? 1
    const maxQueue = opts.maxQueue ?? this.threads * this.threads
    this.#limit = this.threads * tasksPerWorker + maxQueue
    this.#piscina = new Piscina({
      filename: SWEEP_WORKER,
      minThreads: this.threads,
      maxThreads: this.threads,
      concurrentTasksPerWorker: tasksPerWorker,
      maxQueue,
      idleTimeout: opts.idleTimeoutMs ?? 60_000,
      execArgv: workerExecArgv(),
    })
  }

  /** Checks one chunk on a worker. `chunk.accesses` is transferred: the caller must not touch it again. */
  async check(chunk: SweepChunk, signal?: AbortSignal): Promise<ChunkResult> {
    return this.#run(() => this.#piscina.run(chunk, { transferList: [chunk.accesses], signal: signal ?? null }))
  }

  /** Fetches and digests `txpool_content` on a worker, so a large pool's JSON never blocks this thread. */
  async txpool(task: TxpoolTask, signal?: AbortSignal): Promise<TxpoolResult> {
    return this.#run(() => this.#piscina.run(task, { filename: TXPOOL_WORKER, signal: signal ?? null }))
  }

  /** Reads source-chain block hashes on a worker, through the round's backend (--evict-on-reorg). */
  async blockHashes(task: BlockHashesTask, signal?: AbortSignal): Promise<BlockHashesResult> {
    return this.#run(() => this.#piscina.run(task, { name: 'blockHashes', signal: signal ?? null }))
  }

  get queued(): number {
    return this.#waiting.length + this.#piscina.queueSize
  }

  /** Waits for running tasks, then stops the workers. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#piscina.close()
  }

  async #run<T>(start: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error('sweep pool is closed')
    if (this.#active >= this.#limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve))
      if (this.#closed) throw new Error('sweep pool is closed')
    }
    this.#active++
    try {
      return await start()
    } finally {
      this.#active--
      this.#waiting.shift()?.()
    }
  }
}
