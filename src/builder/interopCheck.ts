import type { Logger } from 'pino'
import { inboxEntries } from '../interop/accessList.js'
import { RpcClient } from '../rpc/client.js'
import type { PoolEntry } from './feePolicy.js'

/**
 * Checks per JSON-RPC batch: at ~290 bytes a check, 200 stay well under a supervisor's default
 * 128 KiB body limit (one batch of 1000 was refused whole, excluding every interop transaction).
 */
export const CHECKS_PER_BATCH = 200

/**
 * Builder-time interop check: before an interop transaction (one with CrossL2Inbox access-list
 * entries) goes into a block, its entries are checked with the supervisor at `cross-unsafe` with
 * timeout 0 (the builder's rule: valid now, at the block's timestamp). One JSON-RPC batch request
 * per build for every not-yet-checked interop transaction; answers are cached for the job (same
 * timestamp). A supervisor that cannot answer excludes the unchecked ones (fail closed).
 */
export class InteropChecker {
  readonly #rpc: RpcClient
  readonly #log: Logger
  /** Batch requests sent (tests and metrics). */
  batches = 0

  constructor(url: string, o: { timeoutMs: number; log: Logger }) {
    this.#rpc = new RpcClient(url, { timeoutMs: o.timeoutMs })
    this.#log = o.log
  }

  /** The transactions that may be included; `verdicts` (hash → ok) is the per-job cache. */
  async filter(txs: readonly PoolEntry[], chainId: bigint, timestamp: bigint, verdicts: Map<string, boolean>, signal?: AbortSignal): Promise<PoolEntry[]> {
    const unchecked = txs.filter((t) => !verdicts.has(t.hash) && inboxEntries(t.accessList).length > 0)
    if (unchecked.length > 0) {
      const descriptor = { chainID: chainId.toString(), timestamp: `0x${timestamp.toString(16)}`, timeout: '0x0' }
      const slices: PoolEntry[][] = []
      for (let i = 0; i < unchecked.length; i += CHECKS_PER_BATCH) slices.push(unchecked.slice(i, i + CHECKS_PER_BATCH))
      this.batches += slices.length
      await Promise.all(slices.map(async (slice) => {
        try {
          const results = await this.#rpc.batch(slice.map((t) => ({ method: 'supervisor_checkAccessList', params: [inboxEntries(t.accessList), 'cross-unsafe', descriptor] })), signal)
          results.forEach((r, i) => {
            verdicts.set(slice[i]!.hash, r.ok)
            if (!r.ok) this.#log.debug({ tx: slice[i]!.hash, code: r.error.rpcCode, err: r.error.message }, 'interop transaction excluded')
          })
        } catch (err) {
          this.#log.warn({ err: (err as Error).message, txs: slice.length }, 'supervisor unavailable: interop transactions excluded from this build')
        }
      }))
    }
    return txs.filter((t) => inboxEntries(t.accessList).length === 0 || verdicts.get(t.hash) === true)
  }

  close(): void {
    this.#rpc.close()
  }
}
