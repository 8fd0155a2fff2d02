import type { Hex } from '../interop/index.js'
import type { SweepTx } from './planRound.js'
import type { AcceptedTxs, Collected, DropResult, SweepSource } from './sweepSource.js'

/**
 * The ingress's accepted set as a sweep source, in the ingress's process or shared through Redis:
 * collecting is a snapshot (the ingress keeps adding meanwhile), dropping deletes from the set.
 */
export class AcceptedSetSource implements SweepSource {
  readonly name = 'accepted'
  readonly #set: AcceptedTxs

  constructor(set: AcceptedTxs) {
    this.#set = set
  }

  async collect(): Promise<Collected> {
    const all = await this.#set.snapshot()
    // Accepted transactions are interop ones in practice: no second copy of a 1M list then.
    const interop = (tx: SweepTx) => tx.inboxEntries.length > 0
    return { txs: all.every(interop) ? all : all.filter(interop), total: all.length, skipped: 0 }
  }

  async drop(hashes: readonly Hex[]): Promise<DropResult> {
    // All at once: over Redis they share one pipelined round trip.
    const done = await Promise.all(hashes.map((h) => this.#set.delete(h)))
    const dropped = done.filter(Boolean).length
    return { dropped, failed: 0, unsupported: false }
  }

  close(): void {}
}
