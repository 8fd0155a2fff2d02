import type { Logger } from 'pino'
import { inboxEntries } from '../interop/accessList.js'
import { RpcClient } from '../rpc/client.js'
import { backoffMs, FailureLog } from '../util/failureLog.js'
import type { PoolEntry } from './feePolicy.js'

/**
 * Checks per JSON-RPC batch: at ~290 bytes a check, 200 stay well under a supervisor's default
 * 128 KiB body limit (one batch of 1000 was refused whole, excluding every interop transaction).
 */
export const CHECKS_PER_BATCH = 200

/**
 * After a failed batch the supervisor is not asked again for 100 ms doubling to 2 s (jittered):
 * rebuilds come every --resubmit-interval (100 ms) while the mempool changes, and each asked a dead
 * supervisor again (with a 500 ms timeout each). Meanwhile unchecked interop transactions are
 * excluded, as when the supervisor cannot answer.
 */
const RETRY_BASE_MS = 100
const RETRY_MAX_MS = 2000

export type InteropCheckerOptions = {
  timeoutMs: number
  log: Logger
  /** A failing supervisor is logged once per this interval with a count (default 10 s). */
  failureLogIntervalMs?: number
  /** Called for every failed batch request (metrics). */
  onFailure?: () => void
}

/**
 * Builder-time interop check: before an interop transaction (one with CrossL2Inbox access-list
 * entries) goes into a block, its entries are checked with the supervisor at `cross-unsafe` with
 * timeout 0 (the builder's rule: valid now, at the block's timestamp). One JSON-RPC batch request
 * per build for every not-yet-checked interop transaction; answers are cached for the job (same
 * timestamp). A supervisor that cannot answer excludes the unchecked ones (fail closed), and is
 * not asked again before its backoff (RETRY_BASE_MS…) ends.
 */
export class InteropChecker {
  readonly #rpc: RpcClient
  readonly #log: Logger
  readonly #o: InteropCheckerOptions
  readonly #failures: FailureLog
  #retryAt = 0
  /** Batch requests sent (tests and metrics). */
  batches = 0

  constructor(url: string, o: InteropCheckerOptions) {
    this.#rpc = new RpcClient(url, { timeoutMs: o.timeoutMs })
    this.#log = o.log
    this.#o = o
    this.#failures = new FailureLog(
      o.log,
      'supervisor unavailable: interop transactions excluded',
      o.failureLogIntervalMs ?? 10_000,
    )
  }

  /** The transactions that may be included; `verdicts` (hash → ok) is the per-job cache. */
  async filter(
    txs: readonly PoolEntry[],
    chainId: bigint,
    timestamp: bigint,
    verdicts: Map<string, boolean>,
    signal?: AbortSignal,
  ): Promise<PoolEntry[]> {
    const unchecked = txs.filter((t) => !verdicts.has(t.hash) && inboxEntries(t.accessList).length > 0)
    if (unchecked.length > 0 && Date.now() >= this.#retryAt) {
      const descriptor = { chainID: chainId.toString(), timestamp: `0x${timestamp.toString(16)}`, timeout: '0x0' }
      const slices: PoolEntry[][] = []
      for (let i = 0; i < unchecked.length; i += CHECKS_PER_BATCH) slices.push(unchecked.slice(i, i + CHECKS_PER_BATCH))
      this.batches += slices.length
      await Promise.all(
        slices.map(async (slice) => {
          try {
            const results = await this.#rpc.batch(
              slice.map((t) => ({
                method: 'supervisor_checkAccessList',
                params: [inboxEntries(t.accessList), 'cross-unsafe', descriptor],
              })),
              signal,
            )
            this.#failures.success()
            results.forEach((r, i) => {
              verdicts.set(slice[i]!.hash, r.ok)
              if (!r.ok)
                this.#log.debug(
                  { tx: slice[i]!.hash, code: r.error.rpcCode, err: r.error.message },
                  'interop transaction excluded',
                )
            })
          } catch (err) {
            if (signal?.aborted) return
            this.#o.onFailure?.()
            this.#failures.failure(err, { txs: slice.length })
            this.#retryAt = Date.now() + backoffMs(this.#failures.consecutive, RETRY_BASE_MS, RETRY_MAX_MS)
          }
        }),
      )
    }
    return txs.filter((t) => inboxEntries(t.accessList).length === 0 || verdicts.get(t.hash) === true)
  }

  close(): void {
    this.#rpc.close()
  }
}
