import { Worker } from 'node:worker_threads'
import { InvalidParamsError } from '../errors/index.js'
import type { Hex } from '../interop/index.js'
import type { SenderRecovery } from './senderRecovery.js'
import { signingData } from './signingData.js'

type Waiter = { resolve: (s: Hex) => void; reject: (e: unknown) => void }
type Batch = { raws: Hex[]; waiters: Waiter[] }

/**
 * Sender recovery on a worker thread, batched per event-loop turn, so the event loop only
 * queues the raw transaction: signing hash + secp256k1 recovery (~75 µs) is the largest CPU
 * cost of an interop check. If the worker cannot run, the batch is recovered inline with
 * `fallback` and the worker is started again for the next one.
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
  #worker: Worker | undefined
  #queue: Batch = { raws: [], waiters: [] }
  readonly #inFlight = new Map<number, Batch>()
  #scheduled: NodeJS.Immediate | undefined
  #nextId = 1
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
    const w = this.#worker
    this.#worker = undefined
    if (w) await w.terminate()
  }

  #flush(): void {
    this.#scheduled = undefined
    const batch = this.#queue
    this.#queue = { raws: [], waiters: [] }
    if (batch.raws.length === 0) return
    const worker = this.#closed ? undefined : this.#spawn()
    if (!worker) return void this.#inline(batch)
    const id = this.#nextId++
    this.#inFlight.set(id, batch)
    worker.postMessage({ id, raws: batch.raws })
  }

  #spawn(): Worker | undefined {
    if (this.#worker) return this.#worker
    let w: Worker
    try {
      w = new Worker(new URL('./recoveryWorker.js', import.meta.url))
    } catch {
      return undefined
    }
    w.unref()
    w.on('message', (msg: { id: number; senders: (Hex | null)[] }) => {
      const batch = this.#inFlight.get(msg.id)
      if (!batch) return
      this.#inFlight.delete(msg.id)
      batch.waiters.forEach((waiter, i) => {
        const sender = msg.senders[i]
        if (sender) waiter.resolve(sender)
        else waiter.reject(new InvalidParamsError('invalid sender: signature does not recover'))
      })
    })
    const gone = () => {
      if (this.#worker === w) this.#worker = undefined
      const lost = [...this.#inFlight.values()]
      this.#inFlight.clear()
      for (const b of lost) void this.#inline(b)
    }
    w.once('error', gone)
    w.once('exit', gone)
    this.#worker = w
    return w
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
