import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { newPayloadRequest } from '../engine/newPayload.js'
import type { ForkchoiceStateV1, Hex, PayloadAttributesV3 } from '../engine/types.js'
import { ExecutionCode } from '../errors/index.js'
import type { EngineVersion, GetPayloadVersion } from '../pbs/index.js'
import { RemoteRpcError, type RpcClient, TransportError } from '../rpc/client.js'
import { backoffMs, FailureLog } from '../util/failureLog.js'
import type { EngineBuilderClient } from './builderClient.js'
import type { HealthMonitor } from './health.js'
import type { PayloadEnvelope, PbsCore } from './pbsCore.js'
import type { RecentBlocks, ReplicaPublisher } from './replicas.js'
import { nextSlot, type Slot, standaloneTiming, type TimingOptions } from './timing.js'

export type StandaloneOptions = {
  core: PbsCore
  engine: RpcClient
  replicas: readonly ReplicaPublisher[]
  /** Our newest blocks, resent to a replica that fell behind. */
  recent: RecentBlocks
  /** Engine-API builders follow our chain through the same publication (boost sync). */
  builderEngines?: readonly EngineBuilderClient[]
  conductor?: RpcClient
  health: HealthMonitor
  blockTimeMs: number
  timing: TimingOptions
  /** Repeated slot failures log once per this interval, with a count (default 10 s). */
  failureLogIntervalMs?: number
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
  if (x.length === 34 && x.startsWith('01'))
    return { eip1559Params: `0x${x.slice(2, 18)}`, minBaseFee: `0x${BigInt(`0x${x.slice(18)}`).toString(16)}` }
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
  #anchorMs = 0
  readonly #failures: FailureLog
  /** The conductor unreachable (asked every slot) or refusing commits: once per interval with a count, not once per slot. */
  readonly #conductorDown: FailureLog
  readonly #commitFailures: FailureLog
  #closed = false
  /** Conductor mode: the last slot found us not leading (the engine's head may have moved since). */
  #follower = true
  #wake: (() => void) | undefined
  #running: Promise<void> = Promise.resolve()
  /**
   * The engine is past Karst: V4 payloads are sealed with engine_getPayloadV5 (the V4 envelope) and
   * still inserted with engine_newPayloadV4 (optimism#21337). No header field tells Karst apart,
   * so it is learned from the engine, which refuses the other version with -38005 Unsupported fork
   * (as Osaka engines refuse engine_getPayloadV4): one extra call at the fork, none after.
   */
  #karst = false
  /** rewind(): the block the next slot builds on instead of our head. */
  #rewindTo: Hex | undefined

  constructor(o: StandaloneOptions) {
    this.#o = o
    this.#failures = new FailureLog(o.log, 'slot failed', o.failureLogIntervalMs ?? 10_000)
    this.#conductorDown = new FailureLog(o.log, 'conductor unreachable; not building', o.failureLogIntervalMs ?? 10_000)
    this.#commitFailures = new FailureLog(
      o.log,
      'conductor commit failed; block not published',
      o.failureLogIntervalMs ?? 10_000,
    )
  }

  async start(): Promise<void> {
    const b = await this.#readHead()
    // No L1 here: the starting head stands in for safe and finalized.
    this.#safe = b.hash
    // Slots end on multiples of the block time after the head's timestamp (the wall-clock grid).
    this.#anchorMs = Number(BigInt(b.timestamp)) * 1000
    const aheadMs = this.#anchorMs - Date.now()
    if (aheadMs > this.#o.blockTimeMs)
      this.#o.log.warn(
        { head: Number(BigInt(b.number)), aheadMs },
        "the engine's head is timestamped in the future: no block until the wall clock passes it",
      )
    this.#running = this.#loop()
  }

  /** Our engine's latest block (or the block `hash`) becomes the head we build on next. */
  async #readHead(hash?: Hex): Promise<Head> {
    const [method, at] = hash ? ['eth_getBlockByHash', hash] : ['eth_getBlockByNumber', 'latest']
    const b = await this.#o.engine.call<{ hash: Hex; number: Hex; timestamp: Hex; extraData: Hex; requestsHash?: Hex }>(
      method,
      [at, false],
    )
    if (!b) throw new Error(`engine does not know block ${hash}`)
    this.#head = {
      hash: b.hash,
      number: b.number,
      timestamp: b.timestamp,
      extraData: b.extraData,
      version: b.requestsHash ? 4 : 3,
    }
    return this.#head
  }

  /**
   * Devnet and tests: the next slot builds on `blockHash` (a block our engine knows, below our head)
   * instead of our head, an unsafe reorg as after a failover to a node that was behind: the blocks
   * above it leave the canonical chain of our engine and, by publication, of every replica.
   */
  rewind(blockHash: Hex): void {
    this.#rewindTo = blockHash
  }

  get head(): Head | undefined {
    return this.#head
  }

  /** Consecutive failed slot attempts (0 while sealing). */
  get consecutiveFailures(): number {
    return this.#failures.consecutive
  }

  /**
   * One slot after another, each picked from the wall clock (nextSlot): a slot that fails is retried
   * after a jittered backoff (a sixteenth of a block time doubling up to a quarter: at most ~4–8
   * attempts per block time during an outage, and the first attempt after the engine returns comes
   * within a quarter block time, so a block is sealed within 2 block times of its return).
   */
  async #loop(): Promise<void> {
    const { blockTimeMs: bt } = this.#o
    while (!this.#closed) {
      const slot = nextSlot(this.#anchorMs, bt, Date.now(), BigInt(this.#head!.timestamp))
      // Build from the slot's start (the previous slot's end): its timestamp is then at most a block time ahead.
      while (!this.#closed && Date.now() < slot.end - bt) await this.#until(slot.end - bt)
      if (this.#closed) return
      const outcome = await this.#slot(slot)
      if (this.#closed) return
      this.#o.core.events.emit('slot', { outcome, consecutiveFailures: this.#failures.consecutive })
      if (outcome === 'failed') await this.#until(Date.now() + backoffMs(this.#failures.consecutive, bt / 16, bt / 4))
      // Not the leader (or the commit failed): look again next slot.
      else if (outcome === 'skipped') await this.#until(slot.end)
    }
  }

  #state(head: Hex): ForkchoiceStateV1 {
    return { headBlockHash: head, safeBlockHash: this.#safe, finalizedBlockHash: this.#safe }
  }

  async #slot(slot: Slot): Promise<'sealed' | 'skipped' | 'failed'> {
    const { core, engine } = this.#o
    const slotEnd = slot.end
    try {
      if (this.#o.conductor) {
        if (!(await this.#isLeader())) {
          this.#follower = true
          return 'skipped'
        }
        // Leadership just came to us: while we followed, the leader published its blocks to our
        // engine (we are its --replica), so build on our engine's head, not on the head we last sealed.
        if (this.#follower) {
          const from = this.#head?.number
          const h = await this.#readHead()
          this.#follower = false
          this.#o.log.info(
            { head: Number(BigInt(h.number)), was: from && Number(BigInt(from)) },
            "leader now: building on the engine's head",
          )
        }
      }
      if (this.#rewindTo) {
        const to = this.#rewindTo
        this.#rewindTo = undefined
        const from = this.#head?.number
        const h = await this.#readHead(to)
        this.#o.log.warn(
          { head: Number(BigInt(h.number)), was: from && Number(BigInt(from)) },
          'rewound: building on an older block',
        )
      }
      const parent = this.#head!
      const version = parent.version
      const inherited = paramsFrom(parent.extraData)
      const attrs: PayloadAttributesV3 = {
        timestamp: `0x${slot.timestamp.toString(16)}`,
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
      const fcu = await engine.call<{ payloadId: Hex | null; payloadStatus: { status: string } }>(
        'engine_forkchoiceUpdatedV3',
        [state, attrs],
      )
      this.#o.health.engine.success()
      if (!fcu?.payloadId) throw new Error(`engine did not start a build (${fcu?.payloadStatus?.status})`)
      const timing = standaloneTiming(slotEnd, this.#o.timing)
      const job = core.startJob({
        parent: { hash: parent.hash, number: parent.number, timestamp: parent.timestamp },
        attributes: attrs,
        timing,
        engineVersion: version,
        getPayloadVersion: this.#getPayloadVersion(version),
        payloadId: fcu.payloadId,
        forkchoiceState: state,
      })
      await this.#until(timing.sealAt)
      if (this.#closed) return 'skipped'
      const t0 = performance.now()
      const local = await this.#getPayload(fcu.payloadId, version)
      let { envelope } = core.seal(job, local, version, parent.hash, performance.now() - t0)
      if (this.#o.conductor) {
        // op-node's order: commit to the conductor first; a failed commit means we are not the leader.
        try {
          await this.#o.conductor.call('conductor_commitUnsafePayload', [
            { executionPayload: envelope.executionPayload, parentBeaconBlockRoot: envelope.parentBeaconBlockRoot },
          ])
        } catch (err) {
          this.#commitFailures.failure(err)
          core.events.emit('error', { where: 'conductor_commit', error: err })
          return 'skipped'
        }
        this.#commitFailures.success()
      }
      envelope = await this.#insert(envelope, local, version)
      const p = envelope.executionPayload
      this.#head = { hash: p.blockHash, number: p.blockNumber, timestamp: p.timestamp, extraData: p.extraData, version }
      this.#failures.success({ number: Number(BigInt(p.blockNumber)) })
      this.#publish(envelope, version)
      return 'sealed'
    } catch (err) {
      // Once per interval with a count: an engine outage must not flood the log (issue 7: 85 KB/s).
      this.#failures.failure(err, { slotEnd })
      core.events.emit('error', { where: 'standalone_slot', error: err })
      if (err instanceof TransportError) this.#o.health.engine.failure(err)
      return 'failed'
    }
  }

  #getPayloadVersion(version: EngineVersion): GetPayloadVersion {
    return version === 4 && this.#karst ? 5 : version
  }

  /** The engine's payload with the version it takes for this fork; a -38005 on V4/V5 switches to the other, once. */
  async #getPayload(payloadId: Hex, version: EngineVersion): Promise<PayloadEnvelope> {
    const { engine, log } = this.#o
    const first = this.#getPayloadVersion(version)
    try {
      return await engine.call<PayloadEnvelope>(`engine_getPayloadV${first}`, [payloadId])
    } catch (err) {
      if (version !== 4 || !(err instanceof RemoteRpcError) || err.rpcCode !== ExecutionCode.UnsupportedFork) throw err
      this.#karst = first === 4
      log.info(
        { getPayloadVersion: this.#getPayloadVersion(version), refused: `engine_getPayloadV${first}` },
        this.#karst
          ? 'engine is past Karst: sealing with engine_getPayloadV5'
          : 'engine refuses engine_getPayloadV5 (before Karst): sealing with engine_getPayloadV4',
      )
      return engine.call<PayloadEnvelope>(`engine_getPayloadV${this.#getPayloadVersion(version)}`, [payloadId])
    }
  }

  /** newPayload + forkchoice update on our engine; a selected block the engine refuses falls back to the local one. */
  async #insert(env: PayloadEnvelope, local: PayloadEnvelope, version: EngineVersion): Promise<PayloadEnvelope> {
    const { engine } = this.#o
    const put = async (e: PayloadEnvelope) => {
      const st = await engine.call<{ status: string }>(...newPayloadRequest(version, e))
      return st?.status === 'VALID'
    }
    let chosen = env
    if (!(await put(env))) {
      if (env === local) throw new Error('engine refused its own payload')
      this.#o.log.error(
        { hash: env.executionPayload.blockHash },
        'validated builder block refused at insert; using the local block',
      )
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
      const request = newPayloadRequest(version, env)
      for (const e of this.#o.builderEngines ?? []) {
        e.relay(...request)
        e.relay('engine_forkchoiceUpdatedV3', [state, null])
      }
    }
    const block = this.#o.recent.add(env, version, state)
    void Promise.all(this.#o.replicas.map((r) => r.publish(block))).then((oks) => {
      this.#o.core.events.emit('published', {
        blockHash: p.blockHash,
        number: BigInt(p.blockNumber),
        replicas: oks.filter(Boolean).length,
      })
    })
  }

  async #isLeader(): Promise<boolean> {
    try {
      const leader = (await this.#o.conductor!.call<boolean>('conductor_leader', [])) === true
      this.#conductorDown.success()
      return leader
    } catch (err) {
      this.#conductorDown.failure(err)
      return false
    }
  }

  /** Sleeps until `when` (or close); Node timers overflow past 2^31−1 ms (~24.8 days): callers loop. */
  #until(when: number): Promise<void> {
    if (this.#closed) return Promise.resolve()
    return new Promise((resolve) => {
      this.#wake = resolve
      this.#timer = setTimeout(resolve, Math.min(2 ** 31 - 1, Math.max(0, when - Date.now())))
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#wake?.()
    await this.#running.catch(() => undefined)
  }
}
