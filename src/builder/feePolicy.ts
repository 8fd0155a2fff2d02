import type { DecodedTx } from '../engine/decodeTx.js'
import { effectiveTip } from '../engine/execution.js'

export type PoolEntry = DecodedTx & { from: string; seq: number }

/**
 * The reference builder's fee policy (geth's price-and-nonce order): each sender's transactions in
 * nonce order; across senders, the highest effective tip at `baseFee` first (ties: first seen).
 * A transaction whose fee cap is below the base fee stops its sender (later nonces would gap).
 * Pure; O(n · senders), fine for a reference builder's pool.
 */
export function orderByFee(entries: readonly PoolEntry[], baseFee: bigint): PoolEntry[] {
  const bySender = new Map<string, PoolEntry[]>()
  for (const e of entries) {
    const k = e.from.toLowerCase()
    let list = bySender.get(k)
    if (!list) bySender.set(k, (list = []))
    list.push(e)
  }
  const queues = [...bySender.values()].map((l) =>
    l.sort((a, b) => (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : a.seq - b.seq)),
  )
  const out: PoolEntry[] = []
  for (;;) {
    let best: PoolEntry[] | undefined
    let bestTip = 0n
    for (const q of queues) {
      const head = q[0]
      if (!head || head.maxFeePerGas < baseFee) continue
      const tip = effectiveTip(head, baseFee)
      if (!best || tip > bestTip || (tip === bestTip && head.seq < best[0]!.seq)) {
        best = q
        bestTip = tip
      }
    }
    if (!best) return out
    out.push(best.shift()!)
  }
}
