import type { Hex } from '../interop/index.js'
import type { AcceptedTxs, Collected, DropResult, SweepSource } from './sweepSource.js'

/**
 * The ingress's own accepted set as a sweep source, for a sweep in the ingress's process:
 * collecting is a snapshot (the ingress keeps adding meanwhile), dropping deletes from the set.
 */
export class AcceptedSetSource implements SweepSource {
  readonly name = 'accepted'
  readonly #set: AcceptedTxs

  constructor(set: AcceptedTxs) {
    this.#set = set
  }

  async collect(): Promise<Collected> {
    const all = this.#set.snapshot()
    return { txs: all.filter((tx) => tx.inboxEntries.length > 0), total: all.length, skipped: 0 }
  }

  async drop(hashes: readonly Hex[]): Promise<DropResult> {
    let dropped = 0
    for (const h of hashes) if (this.#set.delete(h)) dropped++
    return { dropped, failed: 0, unsupported: false }
  }

  close(): void {}
}
