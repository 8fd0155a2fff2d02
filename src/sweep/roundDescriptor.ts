import type { SweepDescriptor } from './protocol.js'

/** Seconds from now to the pool's next block: the earliest a swept transaction can execute (2-s L2 blocks). */
export const NEXT_BLOCK_S = 2n

/**
 * The executing descriptor every check of a round uses.
 *
 * timestamp = now + NEXT_BLOCK_S, the pool's next block time (op-geth's mempool filter uses head
 * time + block time). "now" alone would call a message initiated this very second an
 * intra-timestamp conflict and evict a transaction that is valid from the next block on.
 *
 * timeout = the pre-verification window (default 86400 s: the spec's value for tx pre-verifiers,
 * and op-geth's mempool ingress filter), the same for every transaction rather than each one's
 * remaining window. Consistent with classification: a kept transaction is evicted by age once
 * first seen + window has passed, so it is never included after now + window, and a message valid
 * through now + window covers it. One descriptor per round makes a verdict a function of the
 * access alone, so an access shared by many transactions is checked once, and the verdict is what
 * a mempool ingress filter would decide if the transaction arrived now. The cost, by design: a
 * transaction whose message reaches its 7-day expiry within the window is evicted up to one window
 * early. (superguard's ingress, in proxyd's role, asks for 7200 s; the mempool is the stricter
 * gate, as op-geth's is, so a transaction whose message has between 2 h and 1 day left passes the
 * ingress and is evicted by the next sweep.)
 */
export function roundDescriptor(nowMs: number, chainId: bigint, windowMs: number): SweepDescriptor {
  return {
    chainId,
    timestamp: BigInt(Math.floor(nowMs / 1000)) + NEXT_BLOCK_S,
    timeout: BigInt(Math.ceil(windowMs / 1000)),
  }
}
