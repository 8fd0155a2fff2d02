import type { Logger } from 'pino'
import type { StartBuildingParams } from '../pbs/index.js'
import type { RpcClient } from '../rpc/client.js'
import { backoffMs } from '../util/failureLog.js'
import type { ParentHeader } from './assemble.js'
import type { JobFollower } from './jobFollower.js'

/** eth_getBlockByHash(hash, true): the parent header and the transactions it included. */
export type FullBlock = ParentHeader & { transactions: { hash: string; from?: string; nonce?: string }[] }

/**
 * Retry delays after failed engine look-ups: 50 ms doubling to 1 s (jittered into [d/2, d]). A dead
 * engine then gets ~1–2 requests a second instead of 40 (one per 25 ms poll); a recovered one is
 * found within 1 s, inside a 2 s slot.
 */
const ENGINE_RETRY_BASE_MS = 50
const ENGINE_RETRY_MAX_MS = 1000
/** How often a parent the engine does not know yet (null answer) is asked for again: it arrives by replication within ms. */
const PARENT_POLL_MS = 25

/**
 * A job's parent block from the paired engine, asked for until it has it or the job ends. Failed
 * requests back off across jobs (a new job does not reset the backoff); `lastError` says why the
 * last look-up failed, for the missed-job log.
 */
export class ParentLookup {
  readonly #engine: RpcClient
  readonly #follower: JobFollower
  readonly #log: Logger
  readonly #onFailure: () => void
  #failures = 0
  #retryAt = 0
  #lastError: string | undefined

  constructor(engine: RpcClient, follower: JobFollower, log: Logger, onFailure: () => void = () => {}) {
    this.#engine = engine
    this.#follower = follower
    this.#log = log
    this.#onFailure = onFailure
  }

  /** The last look-up's error while the engine keeps failing; undefined once it answers. */
  get lastError(): string | undefined {
    return this.#lastError
  }

  async parentOf(job: StartBuildingParams, stopAt: number, g: number): Promise<FullBlock | undefined> {
    // The paired engine follows the chain by gossip/replication and may not have the parent yet:
    // a null answer is asked again every PARENT_POLL_MS; a failed request backs off.
    while (this.#follower.live(g) && Date.now() < stopAt) {
      if (Date.now() < this.#retryAt) {
        await this.#waitUntil(Math.min(this.#retryAt, stopAt), g)
        continue
      }
      try {
        const b = await this.#engine.call<FullBlock | null>('eth_getBlockByHash', [job.parent.hash, true])
        this.#failures = 0
        this.#lastError = undefined
        if (b) return b
      } catch (err) {
        this.#failures++
        this.#lastError = (err as Error).message
        this.#onFailure()
        this.#retryAt = Date.now() + backoffMs(this.#failures, ENGINE_RETRY_BASE_MS, ENGINE_RETRY_MAX_MS)
        this.#log.debug({ err: this.#lastError, failures: this.#failures }, 'engine look-up failed')
        continue
      }
      await this.#waitUntil(Math.min(Date.now() + PARENT_POLL_MS, stopAt), g)
    }
    return undefined
  }

  /** Waits until `t`, cut short only by a new job or close: mempool changes do not end a backoff. */
  async #waitUntil(t: number, g: number): Promise<void> {
    while (this.#follower.live(g) && Date.now() < t) await this.#follower.nap(t - Date.now())
  }
}
