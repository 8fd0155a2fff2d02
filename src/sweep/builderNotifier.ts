import type { Hex } from '../interop/index.js'
import { RpcClient } from '../rpc/client.js'

/** An evicted transaction as builders are told about it. */
export type EvictedTx = { hash: Hex; code: number; reason: string }

export const NOTIFY_METHOD = 'builder_evictTransactions'
/** Transactions per POST: keeps every body well under 1 MB (about 150 bytes each). */
export const NOTIFY_BATCH = 1000

export type NotifyResult = { sent: number; failed: number }

/**
 * Tells builders which transactions the sweep evicted, so they drop them too. One JSON-RPC
 * request per builder (split every NOTIFY_BATCH transactions), all builders in parallel, each
 * bounded by `timeoutMs`, never retried (a missed notice is repaired by the next round's):
 *
 *   {"jsonrpc":"2.0","id":1,"method":"builder_evictTransactions","params":[
 *     {"chainID":"902","transactions":[{"hash":"0x…","code":-320600,"reason":"ConflictingData"}]}]}
 *
 * `chainID` is the executing chain (decimal, as in the executing descriptor); `code` the
 * JSON-RPC code that decided the eviction (see the README's classification table). The answer
 * is ignored beyond success or failure.
 */
export class BuilderNotifier {
  readonly #clients: RpcClient[]
  readonly #chainId: string

  constructor(urls: readonly string[], chainId: bigint, timeoutMs: number) {
    this.#clients = urls.map((u) => new RpcClient(u, { timeoutMs }))
    this.#chainId = chainId.toString()
  }

  get size(): number {
    return this.#clients.length
  }

  async notify(evicted: readonly EvictedTx[], signal?: AbortSignal): Promise<NotifyResult> {
    const out: NotifyResult = { sent: 0, failed: 0 }
    if (evicted.length === 0 || this.#clients.length === 0) return out
    const parts: EvictedTx[][] = []
    for (let i = 0; i < evicted.length; i += NOTIFY_BATCH) parts.push(evicted.slice(i, i + NOTIFY_BATCH))
    await Promise.all(
      this.#clients.map(async (client) => {
        for (const part of parts) {
          try {
            await client.call(NOTIFY_METHOD, [{ chainID: this.#chainId, transactions: part }], signal)
            out.sent++
          } catch {
            out.failed++
          }
        }
      }),
    )
    return out
  }

  close(): void {
    for (const c of this.#clients) c.close()
  }
}
