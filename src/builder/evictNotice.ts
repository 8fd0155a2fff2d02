import { InvalidParamsError } from '../errors/index.js'
import type { BuilderMempool } from './mempool.js'
import { isObj } from './parseJob.js'

const HASH = /^0x[0-9a-fA-F]{64}$/
/** The sweep sends at most 1,000 per notice (its NOTIFY_BATCH); a bound keeps one call's work small. */
const MAX_NOTICE = 10_000

/**
 * builder_evictTransactions, the sweep's notice (README, sweep → builders): drop every listed
 * transaction from the mempool, so a block built after the sweep evicted a transaction (a reorged
 * source log, an expired message) no longer carries it. Answers how many were in the pool.
 *
 *   params: [{"chainID":"902","transactions":[{"hash":"0x…","code":-320600,"reason":"ConflictingData"}]}]
 */
export function evictNotice(p: unknown, chainId: number | undefined, mempool: BuilderMempool): number {
  if (
    !isObj(p) ||
    typeof p.chainID !== 'string' ||
    !Array.isArray(p.transactions) ||
    p.transactions.length > MAX_NOTICE ||
    !p.transactions.every((t) => isObj(t) && typeof t.hash === 'string' && HASH.test(t.hash))
  ) {
    throw new InvalidParamsError(
      `builder_evictTransactions expects {chainID, transactions: [{hash, code, reason}]} with at most ${MAX_NOTICE} 32-byte hashes`,
    )
  }
  if (chainId !== undefined && p.chainID !== chainId.toString())
    throw new InvalidParamsError(`chainID ${p.chainID} is not this builder's chain (${chainId})`)
  const before = mempool.size
  for (const t of p.transactions as { hash: string }[]) mempool.remove(t.hash)
  return before - mempool.size
}
