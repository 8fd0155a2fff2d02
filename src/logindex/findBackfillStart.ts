import type { ChainRpc, Header } from './chainRpc.js'

/**
 * The first block whose timestamp is at or after `cutoff` (unix seconds): block 0 when the chain
 * is younger than the window, the latest block when no block is that recent. Binary search over
 * headers, as timestamps never decrease along a chain.
 */
export async function findBackfillStart(
  rpc: Pick<ChainRpc, 'header'>,
  latest: Header,
  cutoff: bigint,
): Promise<bigint> {
  if (latest.timestamp < cutoff) return latest.number
  const genesis = await rpc.header(0n)
  if (!genesis || genesis.timestamp >= cutoff) return 0n
  let lo = 0n // timestamp < cutoff
  let hi = latest.number // timestamp >= cutoff
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n
    const h = await rpc.header(mid)
    if (!h) throw new Error(`block ${mid} below the head ${latest.number} is missing`)
    if (h.timestamp >= cutoff) hi = mid
    else lo = mid
  }
  return hi
}
