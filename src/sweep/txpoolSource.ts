import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { RpcCode } from '../errors/index.js'
import type { Hex } from '../interop/index.js'
import { type RpcCallResult, RpcClient } from '../rpc/client.js'
import type { SweepTx } from './planRound.js'
import type { SweepPool } from './pool.js'
import type { Collected, DropResult, SweepSource } from './sweepSource.js'

export type TxpoolSourceOptions = {
  /** Execution client serving txpool_content (anvil, geth, reth). */
  url: string
  pool: SweepPool
  timeoutMs: number
  /** Largest txpool_content answer accepted (100k interop transactions are ~100 MB of JSON). */
  maxResponseBytes?: number
  now?: () => number
}

/** Drops per JSON-RPC batch: small enough for any client's batch limit. */
const DROP_BATCH = 200

/**
 * An execution client's mempool. txpool_content is fetched and parsed on a worker; this thread
 * only unpacks hashes and entries, in slices. The listing has no arrival time, so first-seen is
 * when this source first listed a hash (kept for hashes still listed, forgotten otherwise).
 * Dropping uses anvil_dropTransaction; a client without it (geth, reth) is reported unsupported
 * once and not asked again.
 */
export class TxpoolSource implements SweepSource {
  readonly name = 'txpool'
  readonly #opts: TxpoolSourceOptions
  readonly #client: RpcClient
  #firstSeen = new Map<string, number>()
  #dropUnsupported = false

  constructor(opts: TxpoolSourceOptions) {
    this.#opts = opts
    this.#client = new RpcClient(opts.url, { timeoutMs: opts.timeoutMs })
  }

  async collect(signal?: AbortSignal): Promise<Collected> {
    const r = await this.#opts.pool.txpool(
      {
        url: this.#opts.url,
        timeoutMs: this.#opts.timeoutMs,
        maxResponseBytes: this.#opts.maxResponseBytes ?? 512 * 1024 * 1024,
      },
      signal,
    )
    const now = (this.#opts.now ?? Date.now)()
    const hashes = Buffer.from(r.hashes)
    const entries = Buffer.from(r.entries)
    const malformed = new Map(r.malformed)
    const seen = new Map<string, number>()
    const txs: SweepTx[] = new Array(r.counts.length)
    let e = 0
    let slice = performance.now()
    for (let i = 0; i < r.counts.length; i++) {
      if ((i & 1023) === 1023 && performance.now() - slice > 4) {
        await yieldToLoop()
        signal?.throwIfAborted()
        slice = performance.now()
      }
      const hash = `0x${hashes.toString('hex', i * 32, i * 32 + 32)}` as Hex
      const n = r.counts[i]!
      const list: string[] = malformed.get(i) ?? new Array<string>(n)
      for (let k = 0; k < n; k++, e++) list[k] = `0x${entries.toString('hex', e * 32, e * 32 + 32)}`
      const firstSeen = this.#firstSeen.get(hash) ?? now
      seen.set(hash, firstSeen)
      txs[i] = { hash, inboxEntries: list, firstSeen }
    }
    this.#firstSeen = seen
    return { txs, total: r.total, skipped: r.skipped }
  }

  async drop(hashes: readonly Hex[], signal?: AbortSignal): Promise<DropResult> {
    const out: DropResult = { dropped: 0, failed: 0, unsupported: this.#dropUnsupported }
    if (this.#dropUnsupported) return out
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
      for (const r of results) {
        if (r.ok) out.dropped++
        else if (r.error.rpcCode === RpcCode.MethodNotFound) {
          this.#dropUnsupported = out.unsupported = true
          return out
        } else out.failed++
      }
    }
    return out
  }

  /** Forgets first-seen times (e.g. after the pool was replaced). */
  reset(): void {
    this.#firstSeen.clear()
  }

  close(): void {
    this.#client.close()
  }
}
