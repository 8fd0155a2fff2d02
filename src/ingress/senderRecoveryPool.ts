import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import type { SenderRecovery } from '../engine/senderRecovery.js'
import { signingData } from '../engine/signingData.js'
import { InvalidParamsError } from '../errors/index.js'
import type { Hex } from '../interop/index.js'
import { workerExecArgv } from '../util/workerExecArgv.js'

/** The compiled task file next to this compiled module (Node 20 cannot load .ts workers). */
export const SENDER_RECOVERY_WORKER = fileURLToPath(new URL('../../workers/senderRecovery.js', import.meta.url))

type Waiter = { resolve: (s: Hex) => void; reject: (e: unknown) => void }
type Batch = { raws: Hex[]; waiters: Waiter[] }

/**
 * Sender recovery on a worker thread, batched per event-loop turn, so the event loop only
 * queues the raw transaction: signing hash + secp256k1 recovery (~48 µs on an AMD EPYC VM, 44–46
 * of it libsecp256k1) is the largest CPU cost of an interop check. If the worker cannot run, the
 * batch is recovered inline with `fallback` and the worker is started again for the next one.
 */
export class SenderRecoveryPool {
  static #shared: { pool: SenderRecoveryPool; users: number } | undefined

  /**
   * The process's pool, started on first use and stopped when its last user releases it, so
   * several ingresses in one process (tests, devnet) share one worker.
   */
  static acquire(fallback: SenderRecovery): { pool: SenderRecoveryPool; release(): Promise<void> } {
    const shared = (SenderRecoveryPool.#shared ??= { pool: new SenderRecoveryPool(fallback), users: 0 })
    shared.users++
    shared.pool.warm()
    let released = false
    return {
      pool: shared.pool,
      release: async () => {
        if (released) return
        released = true
        if (--shared.users > 0) return
        if (SenderRecoveryPool.#shared === shared) SenderRecoveryPool.#shared = undefined
        await shared.pool.close()
      },
    }
  }

  readonly #fallback: SenderRecovery
  #pool: Piscina | undefined
  #queue: Batch = { raws: [], waiters: [] }
  #scheduled: NodeJS.Immediate | undefined
  #closed = false

  constructor(fallback: SenderRecovery) {
    this.#fallback = fallback
  }

  /** Starts the worker now rather than on the first transaction. */
  warm(): void {
    this.#spawn()
  }

  recover(raw: Hex): Promise<Hex> {
    return new Promise<Hex>((resolve, reject) => {
      this.#queue.raws.push(raw)
      this.#queue.waiters.push({ resolve, reject })
      this.#scheduled ??= setImmediate(() => this.#flush())
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#scheduled) clearImmediate(this.#scheduled)
    this.#flush()
    const pool = this.#pool
    this.#pool = undefined
    await pool?.destroy()
  }

  #flush(): void {
    this.#scheduled = undefined
    const batch = this.#queue
    this.#queue = { raws: [], waiters: [] }
    if (batch.raws.length === 0) return
    const pool = this.#closed ? undefined : this.#spawn()
    if (!pool)
      return void this.#inline(batch)
      // A task that fails (worker gone, pool destroyed mid-batch) is recovered inline; Piscina replaces the worker.
    ;(pool.run(batch.raws) as Promise<(Hex | null)[]>).then(
      (senders) =>
        batch.waiters.forEach((waiter, i) => {
          const sender = senders[i]
          if (sender) waiter.resolve(sender)
          else waiter.reject(new InvalidParamsError('invalid sender: signature does not recover'))
        }),
      () => this.#inline(batch),
    )
  }

  #spawn(): Piscina | undefined {
    if (this.#pool) return this.#pool
    if (!existsSync(SENDER_RECOVERY_WORKER)) return undefined
    this.#pool = new Piscina({
      filename: SENDER_RECOVERY_WORKER,
      minThreads: 1,
      maxThreads: 1,
      execArgv: workerExecArgv(),
    })
    return this.#pool
  }

  async #inline(batch: Batch): Promise<void> {
    for (let i = 0; i < batch.raws.length; i++) {
      const waiter = batch.waiters[i]!
      try {
        const s = this.#fallback.recover(signingData(batch.raws[i]!))
        waiter.resolve(typeof s === 'string' ? s : await s)
      } catch (err) {
        waiter.reject(err)
      }
    }
  }
}
