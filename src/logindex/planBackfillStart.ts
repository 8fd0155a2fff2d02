import { MissingBlockError } from './errors.js'
import { findBackfillStart } from './findBackfillStart.js'
import type { IngesterDeps, IngesterOptions } from './ingesterDeps.js'

/**
 * Where an empty index starts: the persisted plan, or the first block inside the backfill window
 * (then persisted), never before the chain's interop activation block: a chain that has not
 * reached it yet is indexed from there once it does (the caller sees a start beyond its target).
 */
export async function planBackfillStart(
  d: Pick<IngesterDeps, 'chain' | 'rpc' | 'store' | 'logger' | 'activationBlock'>,
  o: Pick<IngesterOptions, 'backfillMs' | 'now'>,
  target: bigint,
): Promise<bigint> {
  const { chain, rpc, store, logger } = d
  if (chain.backfillStart !== undefined) return chain.backfillStart
  const latest = await rpc.header(target)
  if (!latest) throw new MissingBlockError(target)
  const cutoff = BigInt(Math.floor((o.now() - o.backfillMs) / 1000))
  const found = await findBackfillStart(rpc, latest, cutoff)
  const start = d.activationBlock !== undefined && d.activationBlock > found ? d.activationBlock : found
  store.setBackfillStart(chain.key, start)
  chain.backfillStart = start
  logger.info({ chainId: chain.chainId.toString(), from: start.toString(), to: target.toString() }, 'backfill planned')
  return start
}
