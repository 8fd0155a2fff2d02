import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { ForkchoiceStateV1, Hex, PayloadAttributesV3 } from '../engine/types.js'
import { TransportError, type RpcClient } from '../rpc/client.js'
import type { EngineBuilderClient } from './builderClient.js'
import type { HealthMonitor } from './health.js'
import type { PayloadEnvelope, PbsCore } from './pbsCore.js'
import type { ReplicaPublisher } from './replicas.js'
import { standaloneTimestamp, standaloneTiming, type TimingOptions } from './timing.js'
import type { EngineVersion } from './types.js'

export type StandaloneOptions = {
  core: PbsCore
  engine: RpcClient
  replicas: readonly ReplicaPublisher[]
  /** Engine-API builders follow our chain through the same publication (boost sync). */
  builderEngines?: readonly EngineBuilderClient[]
  conductor?: RpcClient
  health: HealthMonitor
  blockTimeMs: number
  timing: TimingOptions
  feeRecipient: Hex
  gasLimit: number
  eip1559Params?: Hex
  minBaseFee?: number
  log: Logger
}

type Head = { hash: Hex; number: Hex; timestamp: Hex; extraData: Hex; version: EngineVersion }

const ZERO: Hex = `0x${'00'.repeat(32)}`

/** Holocene/Jovian parameters a block's extraData carries, to continue them in its child. */
function paramsFrom(extraData: Hex): { eip1559Params: Hex | null; minBaseFee: Hex | null } {
  const x = extraData.slice(2)
  if (x.length === 18 && x.startsWith('00')) return { eip1559Params: `0x${x.slice(2)}`, minBaseFee: null }
  if (x.length === 34 && x.startsWith('01')) return { eip1559Params: `0x${x.slice(2, 18)}`, minBaseFee: `0x${BigInt(`0x${x.slice(18)}`).toString(16)}` }
  return { eip1559Params: null, minBaseFee: null }
}

/**
 * Standalone mode: our own clock drives the engine slot by slot — start the build (forkchoice
 * update with attributes) and announce the job, seal at the slot's seal time (the engine's payload
 * is the fallback), commit to op-conductor when configured (only the leader publishes), publish to
 * replicas, then newPayload + forkchoice update on our engine.
 */
export class StandaloneSequencer {
  readonly #o: StandaloneOptions
  #head: Head | undefined
  #safe: Hex = ZERO
  #timer: NodeJS.Timeout | undefined
  #closed = false
  #wake: (() => void) | undefined
  #running: Promise<void> = Promise.resolve()

  constructor(o: StandaloneOptions) {
    this.#o = o
  }

  async start(): Promise<void> {
    const b = await this.#o.engine.call<{ hash: Hex; number: Hex; timestamp: Hex; extraData: Hex; requestsHash?: Hex }>('eth_getBlockByNumber', ['latest', false])
    this.#head = { hash: b.hash, number: b.number, timestamp: b.timestamp, extraData: b.extraData, version: b.requestsHash ? 4 : 3 }
    // No L1 here: the starting head stands in for safe and finalized.
    this.#safe = b.hash
    this.#schedule(Date.now() + this.#o.blockTimeMs)
  }

  get head(): Head | undefined {
    return this.#head
  }

  #schedule(slotEnd: number): void {
    if (this.#closed) return
    // Start building at once; the slot end only fixes the seal and deadline times.
    this.#timer = setTimeout(() => { this.#running = this.#slot(slotEnd) }, 0)
  }

  #state(head: Hex): ForkchoiceStateV1 {
    return { headBlockHash: head, safeBlockHash: this.#safe, finalizedBlockHash: this.#safe }
  }

  async #slot(slotEnd: number): Promise<void> {
    const { core, engine, log } = this.#o
    let next = slotEnd + this.#o.blockTimeMs
    try {
      if (this.#o.conductor && !(await this.#isLeader())) return
      const parent = this.#head!
      const version = parent.version
      const inherited = paramsFrom(parent.extraData)
      const attrs: PayloadAttributesV3 = {
        timestamp: `0x${standaloneTimestamp(BigInt(parent.timestamp), slotEnd).toString(16)}`,
        prevRandao: `0x${randomBytes(32).toString('hex')}`,
        suggestedFeeRecipient: this.#o.feeRecipient,
        withdrawals: [],
        parentBeaconBlockRoot: ZERO,
        transactions: [],
        noTxPool: false,
        gasLimit: `0x${this.#o.gasLimit.toString(16)}`,
        eip1559Params: this.#o.eip1559Params ?? inherited.eip1559Params,
        minBaseFee: this.#o.minBaseFee !== undefined ? `0x${this.#o.minBaseFee.toString(16)}` : inherited.minBaseFee,
      }
      const state = this.#state(parent.hash)
      const fcu = await engine.call<{ payloadId: Hex | null; payloadStatus: { status: string } }>('engine_forkchoiceUpdatedV3', [state, attrs])
      this.#o.health.engine.success()
      if (!fcu?.payloadId) throw new Error(`engine did not start a build (${fcu?.payloadStatus?.status})`)
      const timing = standaloneTiming(slotEnd, this.#o.timing)
      const job = core.startJob({ parent: { hash: parent.hash, number: parent.number, timestamp: parent.timestamp }, attributes: attrs, timing, engineVersion: version, payloadId: fcu.payloadId, forkchoiceState: state })
      await this.#until(timing.sealAt)
      if (this.#closed) return
      const t0 = performance.now()
      const local = await engine.call<PayloadEnvelope>(`engine_getPayloadV${version}`, [fcu.payloadId])
      let { envelope } = core.seal(job, local, version, parent.hash, performance.now() - t0)
      if (this.#o.conductor) {
        // op-node's order: commit to the conductor first; a failed commit means we are not the leader.
        try {
          await this.#o.conductor.call('conductor_commitUnsafePayload', [{ executionPayload: envelope.executionPayload, parentBeaconBlockRoot: envelope.parentBeaconBlockRoot }])
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'conductor commit failed; block not published')
          core.events.emit('error', { where: 'conductor_commit', error: err })
          return
        }
      }
      envelope = await this.#insert(envelope, local, version)
      const p = envelope.executionPayload
      this.#head = { hash: p.blockHash, number: p.blockNumber, timestamp: p.timestamp, extraData: p.extraData, version }
      this.#publish(envelope, version)
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'slot failed')
      core.events.emit('error', { where: 'standalone_slot', error: err })
      if (err instanceof TransportError) this.#o.health.engine.failure(err)
    } finally {
      // Fell behind (slow engine, closed laptop lid): restart the cadence from now.
      if (next < Date.now() + this.#o.blockTimeMs / 2) next = Date.now() + this.#o.blockTimeMs
      this.#schedule(next)
    }
  }

  /** newPayload + forkchoice update on our engine; a selected block the engine refuses falls back to the local one. */
  async #insert(env: PayloadEnvelope, local: PayloadEnvelope, version: EngineVersion): Promise<PayloadEnvelope> {
    const { engine } = this.#o
    const put = async (e: PayloadEnvelope) => {
      const params: unknown[] = [e.executionPayload, [], e.parentBeaconBlockRoot]
      if (version === 4) params.push(e.executionRequests ?? [])
      const st = await engine.call<{ status: string }>(`engine_newPayloadV${version}`, params)
      return st?.status === 'VALID'
    }
    let chosen = env
    if (!(await put(env))) {
      if (env === local) throw new Error('engine refused its own payload')
      this.#o.log.error({ hash: env.executionPayload.blockHash }, 'validated builder block refused at insert; using the local block')
      chosen = local
      if (!(await put(local))) throw new Error('engine refused its own payload')
    }
    await engine.call('engine_forkchoiceUpdatedV3', [this.#state(chosen.executionPayload.blockHash), null])
    return chosen
  }

  #publish(env: PayloadEnvelope, version: EngineVersion): void {
    const p = env.executionPayload
    const state = this.#state(p.blockHash)
    if (this.#o.core.mode !== 'disabled') {
      const params: unknown[] = [p, [], env.parentBeaconBlockRoot]
      if (version === 4) params.push(env.executionRequests ?? [])
      for (const e of this.#o.builderEngines ?? []) {
        e.relay(`engine_newPayloadV${version}`, params)
        e.relay('engine_forkchoiceUpdatedV3', [state, null])
      }
    }
    void Promise.all(this.#o.replicas.map((r) => r.publish(env, version, state))).then((oks) => {
      this.#o.core.events.emit('published', { blockHash: p.blockHash, number: BigInt(p.blockNumber), replicas: oks.filter(Boolean).length })
    })
  }

  async #isLeader(): Promise<boolean> {
    try {
      return (await this.#o.conductor!.call<boolean>('conductor_leader', [])) === true
    } catch (err) {
      this.#o.log.warn({ err: (err as Error).message }, 'conductor unreachable; not building')
      return false
    }
  }

  #until(when: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve
      this.#timer = setTimeout(resolve, Math.max(0, when - Date.now()))
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#wake?.()
    await this.#running.catch(() => undefined)
  }
}
