import { setTimeout as delay } from 'node:timers/promises'
import { MissingBlockError } from './errors.js'
import { type BuiltRange, buildRange, fetchRange, type RawRange } from './fetchRange.js'
import type { HeadPublisher } from './headPublisher.js'
import type { IngesterDeps, IngesterOptions } from './ingesterDeps.js'
import type { ChainTags } from './logStore.js'
import { planBackfillStart } from './planBackfillStart.js'
import { RangePlanner } from './rangePlanner.js'
import { rewindToCommonAncestor } from './rewindToCommonAncestor.js'

export type CatchUpDeps = Omit<IngesterDeps, 'storage'>

/** 'again' = poll again at once (after a rewind), 'later' = the endpoint lags, wait. */
export type CatchUpOutcome = 'done' | 'again' | 'later'

/**
 * Indexes one chain from its stored head (or the backfill start) up to a target, range by range:
 * the next range is fetched while the previous one is checked and committed. The range size
 * (RangePlanner) is learned across calls.
 */
export class CatchUp {
  readonly #d: CatchUpDeps
  readonly #o: Pick<IngesterOptions, 'backfillMs' | 'now'>
  readonly #heads: HeadPublisher
  readonly #planner: RangePlanner
  /** What the endpoint lacked below its own head, when the last run ended 'later'. */
  missing: MissingBlockError | undefined

  constructor(d: CatchUpDeps, o: Pick<IngesterOptions, 'backfillMs' | 'now' | 'maxRange'>, heads: HeadPublisher) {
    this.#d = d
    this.#o = o
    this.#heads = heads
    this.#planner = new RangePlanner({ initial: Math.min(100, o.maxRange), max: o.maxRange })
  }

  get #key(): number {
    return this.#d.chain.key
  }

  get #chainId(): bigint {
    return this.#d.chain.chainId
  }

  /** Indexes up to `target`, committing each range with `tags`. */
  async run(target: bigint, tags: ChainTags): Promise<CatchUpOutcome> {
    const { store, events, metrics, progress, logger, rpc } = this.#d
    const planner = this.#planner
    this.missing = undefined
    let tip = store.head(this.#key, 'unsafe')
    let from = tip ? tip.number + 1n : await planBackfillStart(this.#d, this.#o, target)
    if (from > target) return 'done' // a planned start the endpoint has not reached (yet)
    const backfillFrom = from
    const backfilling = !store.isReady(this.#key)
    let inflight: Promise<RawRange> | undefined = fetchRange(rpc, from, planner.end(from, target))
    while (inflight) {
      let range: BuiltRange
      try {
        const raw: RawRange = await inflight
        // Plan and request the next range before this one is checked and hashed, so the endpoint
        // serves it meanwhile (backfill from a local anvil: ~30% more logs/s with the yield below). The planner learns
        // from this range only if it builds; if not, it is put back before the failure counts.
        const before = planner.copy()
        planner.success(raw.headers.length, raw.logs.length)
        const next: bigint = raw.to + 1n
        inflight = next <= target ? fetchRange(rpc, next, planner.end(next, target)) : undefined
        // Let the requests go out before the CPU-bound build: viem sends the header batch from a
        // setTimeout(0) and undici writes on later ticks (waits per range 70 → 25 ms).
        if (inflight) await delay(0)
        try {
          range = buildRange(this.#chainId, raw, logger)
        } catch (err) {
          planner.restore(before)
          throw err
        }
      } catch (err) {
        if (this.#d.signal.aborted) throw err
        // The endpoint does not have a block below the head it reported: it lags, or the chain got
        // shorter; the next poll tells which.
        if (err instanceof MissingBlockError) {
          this.missing = err
          return 'later'
        }
        if (!planner.failure()) throw err
        logger.debug({ err, chainId: this.#chainId.toString(), range: planner.size }, 'range failed; shrinking')
        inflight = fetchRange(rpc, from, planner.end(from, target))
        continue
      }
      if (tip && range.blocks[0]!.ref.parentHash !== tip.hash) {
        await rewindToCommonAncestor(this.#d, this.#heads, tip.number)
        return 'again'
      }
      const next = range.to + 1n
      store.appendBlocks(this.#key, range.blocks, tags)
      tip = range.blocks.at(-1)!.ref
      const labels = { chain_id: this.#chainId.toString() }
      metrics.logs.inc(labels, range.logs)
      metrics.blocks.inc(labels, range.blocks.length)
      if (backfilling && progress) {
        progress.update(this.#chainId, backfillFrom, tip.number, target)
        metrics.backfillRate.set(labels, progress.snapshot(this.#chainId)?.blocksPerSecond ?? 0)
      }
      this.#heads.publish()
      this.#heads.advanceCross()
      events.emit('commit', this.#chainId, tip)
      from = next
    }
    return 'done'
  }
}
