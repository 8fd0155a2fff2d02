import type { Logger } from 'pino'
import type { RpcClient } from '../rpc/client.js'
import type { StartBuildingParams } from '../pbs/index.js'
import type { ParentHeader } from './assemble.js'
import type { JobFollower } from './jobFollower.js'

/** eth_getBlockByHash(hash, true): the parent header and the transactions it included. */
export type FullBlock = ParentHeader & { transactions: { hash: string; from?: string; nonce?: string }[] }

/** A job's parent block from the paired engine, asked for until it has it or the job ends. */
export class ParentLookup {
  readonly #engine: RpcClient
  readonly #follower: JobFollower
  readonly #log: Logger

  constructor(engine: RpcClient, follower: JobFollower, log: Logger) {
    this.#engine = engine
    this.#follower = follower
    this.#log = log
  }

  async parentOf(job: StartBuildingParams, stopAt: number, g: number): Promise<FullBlock | undefined> {
    // The paired engine follows the chain by gossip/replication and may not have the parent yet.
    while (this.#follower.live(g) && Date.now() < stopAt) {
      try {
        const b = await this.#engine.call<FullBlock | null>('eth_getBlockByHash', [job.parent.hash, true])
        if (b) return b
      } catch (err) {
        this.#log.debug({ err: (err as Error).message }, 'engine look-up failed')
      }
      await this.#follower.nap(Math.min(25, stopAt - Date.now()))
    }
    return undefined
  }
}
