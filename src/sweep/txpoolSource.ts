import { RpcCode } from '../errors/index.js'
import type { Hex } from '../interop/index.js'
import { type RpcCallResult, RpcClient } from '../rpc/client.js'
import type { SweepPool } from './pool.js'
import type { Collected, DropResult, SweepSource } from './sweepSource.js'
import { TxpoolReader } from './txpoolReader.js'

export type TxpoolSourceOptions = {
  /** Execution client serving txpool_content (anvil, geth, reth). */
  url: string
  pool: SweepPool
  timeoutMs: number
  /** Largest txpool_content answer accepted (100k interop transactions are ~100 MB of JSON). */
  maxResponseBytes?: number
  /** Read only what changed where the client serves filters (default true; false: txpool_content every round). */
  incremental?: boolean
  now?: () => number
}

/** Drops per JSON-RPC batch: small enough for any client's batch limit. */
const DROP_BATCH = 200

/**
 * An execution client's mempool, read by a TxpoolReader: txpool_content, then only what changed
 * where the client serves filters; large answers are fetched and parsed on a worker. The listing
 * has no arrival time, so first-seen is when this source first listed a hash (kept while listed).
 * Dropping uses anvil_dropTransaction; a client without it (geth, reth) is reported unsupported
 * once and not asked again.
 */
export class TxpoolSource implements SweepSource {
  readonly name = 'txpool'
  readonly #client: RpcClient
  readonly #reader: TxpoolReader
  #dropUnsupported = false

  constructor(opts: TxpoolSourceOptions) {
    this.#client = new RpcClient(opts.url, { timeoutMs: opts.timeoutMs })
    this.#reader = new TxpoolReader({
      url: opts.url,
      client: this.#client,
      pool: opts.pool,
      timeoutMs: opts.timeoutMs,
      maxResponseBytes: opts.maxResponseBytes ?? 512 * 1024 * 1024,
      incremental: opts.incremental ?? true,
      ...(opts.now ? { now: opts.now } : {}),
    })
  }

  async collect(signal?: AbortSignal): Promise<Collected> {
    return this.#reader.read(signal)
  }

  async drop(hashes: readonly Hex[], signal?: AbortSignal): Promise<DropResult> {
    const out: DropResult = { dropped: 0, failed: 0, unsupported: this.#dropUnsupported }
    if (this.#dropUnsupported) return out
    const dropped: Hex[] = []
    try {
      await this.#dropAll(hashes, out, dropped, signal)
    } finally {
      this.#reader.forget(dropped)
    }
    return out
  }

  async #dropAll(hashes: readonly Hex[], out: DropResult, dropped: Hex[], signal?: AbortSignal): Promise<void> {
    for (let i = 0; i < hashes.length; i += DROP_BATCH) {
      const part = hashes.slice(i, i + DROP_BATCH)
      let results: RpcCallResult[]
      try {
        results = await this.#client.batch(
          part.map((h) => ({ method: 'anvil_dropTransaction', params: [h] })),
          signal,
        )
      } catch {
        out.failed += part.length
        continue
      }
      results.forEach((r, k) => {
        if (r.ok) dropped.push(part[k]!)
      })
      for (const r of results) {
        if (r.ok) out.dropped++
        else if (r.error.rpcCode === RpcCode.MethodNotFound) {
          this.#dropUnsupported = out.unsupported = true
          return
        } else out.failed++
      }
    }
  }

  /** Reads the whole pool next round (e.g. after it was replaced). */
  reset(): void {
    this.#reader.reset()
  }

  close(): void {
    this.#client.close()
  }
}
