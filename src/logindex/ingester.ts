import { setTimeout as delay } from 'node:timers/promises'
import { FailureLog } from '../util/failureLog.js'
import { CatchUp } from './catchUp.js'
import type { MissingBlockError } from './errors.js'
import { HeadPublisher } from './headPublisher.js'
import type { IngesterDeps, IngesterOptions } from './ingesterDeps.js'
import { Pruner } from './pruner.js'
import { rewindToCommonAncestor } from './rewindToCommonAncestor.js'

export type { IngesterDeps, IngesterOptions } from './ingesterDeps.js'

const MAX_BACKOFF_MS = 30_000
/** Polls in a row that end on a block the endpoint lacks before it is logged (one is a node's own lag). */
const LACKING_POLLS = 3

/**
 * Indexes one chain: backfills from the start of the window, then follows the head every
 * `pollMs`. Ranges are fetched (logs + every header, batched) while the previous one commits
 * (CatchUp). A parent-hash mismatch (or a head that went backwards or changed hash) triggers a
 * walk back to the common ancestor, a rewind, and re-indexing (rewindToCommonAncestor). RPC
 * failures back off and retry forever.
 */
export class Ingester {
  remoteHead: bigint | undefined
  lastPollAt: number | undefined
  readonly #d: IngesterDeps
  readonly #o: IngesterOptions
  readonly #heads: HeadPublisher
  readonly #pruner: Pruner
  readonly #catchUp: CatchUp
  /** An endpoint down fails every cycle (backoff up to 30 s): one line per 10 s with the count, one when it recovers. */
  readonly #failures: FailureLog
  /**
   * The endpoint reports a head but not a block below it (a lagging backend behind a load
   * balancer, a node missing history): usually gone at the next poll; when it is not, nothing else
   * says why the index stopped (the head lag metric only says that it did).
   */
  readonly #lacking: FailureLog
  /** The block lacked at the end of the last poll, and in how many polls in a row. */
  #lackingStreak: { block: bigint; polls: number } | undefined
  /** Set by a poll that ended on a lacking block; any other outcome (an error too) ends the streak. */
  #lackedThisPoll = false

  constructor(deps: IngesterDeps, opts: IngesterOptions) {
    this.#d = deps
    this.#o = opts
    this.#failures = new FailureLog(deps.logger, 'indexing failed; retrying', 10_000)
    this.#lacking = new FailureLog(
      deps.logger,
      'the endpoint reports a head above a block it does not return; waiting',
      60_000,
      {
        recoveredMsg: 'the endpoint returns the block it lacked; indexing again',
      },
    )
    this.#heads = new HeadPublisher(deps)
    this.#pruner = new Pruner(deps, opts)
    this.#catchUp = new CatchUp(deps, opts, this.#heads)
  }

  get #key(): number {
    return this.#d.chain.key
  }

  get #chainId(): bigint {
    return this.#d.chain.chainId
  }

  async run(): Promise<void> {
    const { signal, logger } = this.#d
    let backoff = 0
    let rewinds = 0
    // A restart over an existing index says where it picks up (the backfill plan follows for an empty one).
    const tip = this.#d.store.head(this.#key, 'unsafe')
    if (tip)
      logger.info(
        { chainId: this.#chainId.toString(), block: tip.number.toString(), url: this.#d.rpc.url },
        `resumed at block ${tip.number}`,
      )
    while (!signal.aborted) {
      let again = false
      this.#lackedThisPoll = false
      try {
        again = await this.#cycle()
        if (!this.#lackedThisPoll) this.#endLacking()
        backoff = 0
        this.#failures.success({ chainId: this.#chainId.toString() })
        // Re-poll at once after a rewind, but not forever against an endpoint that flips between forks.
        rewinds = again ? rewinds + 1 : 0
        if (rewinds > 3) again = false
      } catch (err) {
        this.#endLacking()
        if (signal.aborted) break
        backoff = Math.min(MAX_BACKOFF_MS, Math.max(250, backoff * 2))
        // A storage failure (disk full, I/O error, a corrupt page) is the storage tracker's to log
        // (once per interval with a count) and to show on /healthz; the retry is the same.
        if (this.#d.storage?.record('write', err) === undefined)
          this.#failures.failure(err, { chainId: this.#chainId.toString(), url: this.#d.rpc.url, retryInMs: backoff })
        await this.#sleep(backoff)
        continue
      }
      if (!again) await this.#sleep(this.#o.pollMs)
    }
  }

  /** One poll: head and tags, reorg check, catch up, readiness, pruning. True to poll again at once. */
  async #cycle(): Promise<boolean> {
    const { rpc, store } = this.#d
    const [latest, safe, finalized] = await Promise.all([
      rpc.header('latest'),
      rpc.header('safe').catch(() => undefined),
      rpc.header('finalized').catch(() => undefined),
    ])
    if (!latest) throw new Error('the endpoint returned no latest block')
    this.remoteHead = latest.number
    this.#d.metrics.remoteHead.set({ chain_id: this.#chainId.toString() }, Number(latest.number))
    this.lastPollAt = Date.now()
    const tags = { safe, finalized }
    const tip = store.head(this.#key, 'unsafe')
    if (tip && latest.number === tip.number && latest.hash !== tip.hash) {
      await this.#rewind(tip.number)
      return true
    }
    if (tip && latest.number < tip.number) {
      // Behind our head: a load-balanced endpoint with a lagging backend still has our tip;
      // a chain that really got shorter does not, and we must drop what it dropped.
      const same = await rpc.header(tip.number)
      if (same?.hash !== tip.hash) {
        await this.#rewind(latest.number)
        return true
      }
    }
    if (!tip || tip.number < latest.number) {
      const outcome = await this.#catchUp.run(latest.number, tags)
      if (outcome === 'again') return true
      if (outcome === 'later') {
        const missing = this.#catchUp.missing
        if (missing) this.#lackingPoll(missing, latest.number)
        return false
      }
    } else {
      store.setTags(this.#key, tags)
      this.#heads.publish()
    }
    if (!store.isReady(this.#key)) this.#heads.markReady()
    // Also after a restart on an idle chain: cross-unsafe may be behind what is already stored.
    this.#heads.advanceCross()
    // true: expired blocks remain after a bounded step, so loop again without the poll sleep
    return this.#pruner.prune()
  }

  /**
   * A poll ended on `missing`, below the endpoint's head `head`: logged from the LACKING_POLLS-th
   * poll in a row lacking that same block (one such poll is a node between its head and its block).
   */
  #lackingPoll(missing: MissingBlockError, head: bigint): void {
    this.#lackedThisPoll = true
    const s = this.#lackingStreak
    if (s !== undefined && s.block !== missing.number) this.#endLacking()
    const polls = s !== undefined && s.block === missing.number ? s.polls + 1 : 1
    this.#lackingStreak = { block: missing.number, polls }
    if (polls >= LACKING_POLLS)
      this.#lacking.failure(missing, {
        chainId: this.#chainId.toString(),
        url: this.#d.rpc.url,
        head: head.toString(),
        missing: missing.number.toString(),
      })
  }

  #endLacking(): void {
    this.#lackingStreak = undefined
    this.#lacking.success({ chainId: this.#chainId.toString() })
  }

  #rewind(hint: bigint): Promise<void> {
    return rewindToCommonAncestor(this.#d, this.#heads, hint)
  }

  async #sleep(ms: number): Promise<void> {
    await delay(ms, undefined, { signal: this.#d.signal }).catch(() => {})
  }
}
