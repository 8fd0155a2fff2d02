import type { Logger } from 'pino'
import type { ForkchoiceStateV1 } from '../engine/types.js'
import { RpcClient } from '../rpc/client.js'
import type { Endpoint } from './endpoint.js'
import type { PayloadEnvelope } from './pbsCore.js'
import type { EngineVersion } from './types.js'

/**
 * Publishes blocks to one replica engine: engine_newPayload then engine_forkchoiceUpdatedV3, in
 * block order on a queue of its own, so a slow or dead replica delays nobody but itself. When it
 * falls `maxQueue` blocks behind, newer blocks are dropped for it (it will answer SYNCING and catch
 * up from its peers, as a node that missed gossip does).
 */
export class ReplicaPublisher {
  readonly url: string
  readonly #rpc: RpcClient
  readonly #log: Logger
  #queue: Promise<unknown> = Promise.resolve()
  #depth = 0
  readonly #maxQueue: number

  constructor(ep: Endpoint, o: { timeoutMs: number; log: Logger; maxQueue?: number }) {
    this.url = ep.url
    this.#rpc = new RpcClient(ep.url, { timeoutMs: o.timeoutMs, ...(ep.jwtSecret ? { jwtSecret: ep.jwtSecret } : {}) })
    this.#log = o.log
    this.#maxQueue = o.maxQueue ?? 32
  }

  /** Resolves true once the replica took the block and its forkchoice update, false otherwise. */
  publish(env: PayloadEnvelope, version: EngineVersion, state: ForkchoiceStateV1): Promise<boolean> {
    if (this.#depth >= this.#maxQueue) return Promise.resolve(false)
    this.#depth++
    const run = this.#queue.then(async () => {
      const params: unknown[] = [env.executionPayload, [], env.parentBeaconBlockRoot]
      if (version === 4) params.push(env.executionRequests ?? [])
      const st = await this.#rpc.call<{ status?: string }>(`engine_newPayloadV${version}`, params)
      if (st?.status !== 'VALID') throw new Error(`newPayload ${st?.status ?? 'no status'}`)
      await this.#rpc.call('engine_forkchoiceUpdatedV3', [state, null])
      return true
    }).catch((err: unknown) => {
      this.#log.debug({ replica: this.url, err: (err as Error).message }, 'replica publish failed')
      return false
    }).finally(() => { this.#depth-- })
    this.#queue = run
    return run
  }

  close(): void {
    this.#rpc.close()
  }
}
