import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { ForkchoiceStateV1, Hex, PayloadAttributesV3 } from '../engine/types.js'
import type { EngineVersion } from '../pbs/index.js'
import { RemoteRpcError, type RpcClient } from '../rpc/client.js'
import type { CallObserver, RpcMethod } from '../rpc/jsonrpc.js'
import type { ListenerLimits } from '../rpc/limits.js'
import { createRpcServer, type Health } from '../rpc/server.js'
import { BoundedMap } from '../util/boundedMap.js'
import { FailureLog } from '../util/failureLog.js'
import { installJwtAuth } from './auth.js'
import type { EngineBuilderClient } from './builderClient.js'
import { EngineRpcError, EngineUnavailableError } from './errors.js'
import type { HealthMonitor } from './health.js'
import type { PayloadEnvelope, PbsCore } from './pbsCore.js'
import { proxyTiming, type TimingOptions } from './timing.js'
import type { Job } from './types.js'

export type EngineProxyOptions = {
  core: PbsCore
  /** op-node's calls: the hot path. */
  engine: RpcClient
  /** Parent-block look-ups for new jobs, off the hot path. */
  lookup: RpcClient
  jwtSecret: Buffer
  timing: TimingOptions
  health: HealthMonitor
  builderEngines: readonly EngineBuilderClient[]
  log: Logger
  registry?: Registry
  observe?: CallObserver
  healthz?: () => Health | Promise<Health>
  /** Engine calls failing in a row log once per this interval with a count (default 10 s). */
  failureLogIntervalMs?: number
  /**
   * Listener timeouts and connection cap. The request timeout bounds receiving op-node's request
   * only, never how long getPayload/newPayload take on the engine.
   */
  limits?: Partial<ListenerLimits>
}

type BlockInfo = { number: Hex; timestamp: Hex; version: EngineVersion }

/** Namespaces op-node (and tools on the engine port) may use; all pass through to the engine. */
const PASS_THROUGH = /^(engine|eth|net|web3|miner|txpool)_/

/**
 * Proxy mode (as rollup-boost, no op-node change): op-node's engine URL points here.
 * - engine_forkchoiceUpdatedV3 with attributes and noTxPool=false: forwarded, answered, then a job
 *   starts (builders hear of it); without attributes: forwarded only (relayed to Engine-API
 *   builders afterwards so they follow the chain, never before op-node's answer).
 * - engine_getPayloadV3/V4: the engine's payload is always fetched (the fallback), then the job
 *   is sealed synchronously and the selected block returned. Nothing here awaits a builder.
 * - everything else in engine_/eth_/… passes through.
 */
export function createEngineProxy(o: EngineProxyOptions): FastifyInstance {
  const { core, log } = o
  const blocks = new BoundedMap<string, BlockInfo>(128)
  const jobs = new BoundedMap<string, Job>(16)
  const sealed = new BoundedMap<string, PayloadEnvelope>(16)
  let head: Hex | undefined
  /**
   * op-node seals with engine_getPayloadV5 once Karst is active (optimism#21337), which no header
   * field tells apart: learned from its calls, so the next jobs tell builders to use V5 too.
   */
  let karst = false
  const engineFailures = new FailureLog(
    log,
    'engine call failed: op-node answered -32603',
    o.failureLogIntervalMs ?? 10_000,
  )

  async function forward<T = unknown>(method: string, params: readonly unknown[]): Promise<T> {
    try {
      const r = await o.engine.call<T>(method, params)
      o.health.engine.success()
      engineFailures.success()
      return r
    } catch (err) {
      if (err instanceof RemoteRpcError) throw new EngineRpcError(err.rpcCode, err.shortMessage, err.data)
      o.health.engine.failure(err)
      // op-node gets a stable -32603 (it retries); the transport's words (an address, ECONNREFUSED) go to the log.
      engineFailures.failure(err, { method })
      throw new EngineUnavailableError()
    }
  }

  const relay = (method: string, params: readonly unknown[]) => {
    if (o.builderEngines.length === 0 || core.mode === 'disabled') return
    setImmediate(() => {
      for (const e of o.builderEngines) e.relay(method, params)
    })
  }

  function remember(
    p: { blockHash?: unknown; blockNumber?: unknown; timestamp?: unknown } | undefined,
    version: EngineVersion,
  ): void {
    if (p && typeof p.blockHash === 'string' && typeof p.blockNumber === 'string' && typeof p.timestamp === 'string') {
      blocks.set(p.blockHash.toLowerCase(), { number: p.blockNumber as Hex, timestamp: p.timestamp as Hex, version })
    }
  }

  async function parentOf(hash: Hex): Promise<BlockInfo | undefined> {
    const known = blocks.get(hash.toLowerCase())
    if (known) return known
    const b = await o.lookup.call<{ number?: Hex; timestamp?: Hex; requestsHash?: Hex } | null>('eth_getBlockByHash', [
      hash,
      false,
    ])
    if (!b?.number || !b.timestamp) return undefined
    const info: BlockInfo = { number: b.number, timestamp: b.timestamp, version: b.requestsHash ? 4 : 3 }
    blocks.set(hash.toLowerCase(), info)
    return info
  }

  async function startJob(state: ForkchoiceStateV1, attrs: PayloadAttributesV3, payloadId: Hex): Promise<void> {
    try {
      const parent = await parentOf(state.headBlockHash)
      if (!parent) {
        log.warn({ head: state.headBlockHash }, 'parent block unknown to the engine; no job')
        return
      }
      if (sealed.has(payloadId)) return // op-node already sealed this payload
      const timing = proxyTiming(BigInt(attrs.timestamp), o.timing)
      const job = core.startJob({
        parent: { hash: state.headBlockHash, number: parent.number, timestamp: parent.timestamp },
        attributes: attrs,
        timing,
        engineVersion: parent.version,
        getPayloadVersion: karst && parent.version === 4 ? 5 : parent.version,
        payloadId,
        forkchoiceState: state,
      })
      jobs.set(payloadId, job)
    } catch (err) {
      log.warn({ err }, 'could not start a build job')
      core.events.emit('error', { where: 'start_job', error: err })
    }
  }

  const forkchoiceUpdated =
    (method: string): RpcMethod =>
    async (params) => {
      const res = await forward<{ payloadId?: Hex | null } | null>(method, params)
      const state = params[0] as ForkchoiceStateV1 | undefined
      const attrs = params[1] as PayloadAttributesV3 | null | undefined
      if (state && typeof state.headBlockHash === 'string') head = state.headBlockHash
      if (attrs && typeof attrs === 'object') {
        const payloadId = res?.payloadId
        // noTxPool blocks (sequencer drift, upgrade blocks) are deposit-only: nothing for a builder to do.
        if (payloadId && attrs.noTxPool !== true && method === 'engine_forkchoiceUpdatedV3')
          setImmediate(() => void startJob(state!, attrs, payloadId))
      } else relay(method, params)
      return res
    }

  const getPayload =
    (method: string, version: EngineVersion): RpcMethod =>
    async (params) => {
      const t0 = performance.now()
      const local = await forward<PayloadEnvelope>(method, params)
      const engineMs = performance.now() - t0
      const payloadId = params[0]
      if (typeof payloadId !== 'string' || !local?.executionPayload?.blockHash) return local
      const again = sealed.get(payloadId)
      if (again) return again
      const { envelope } = core.seal(jobs.get(payloadId), local, version, head, engineMs)
      sealed.set(payloadId, envelope)
      remember(envelope.executionPayload, version)
      return envelope
    }

  const karstGetPayload = getPayload('engine_getPayloadV5', 4)

  const newPayload =
    (method: string, version: EngineVersion): RpcMethod =>
    async (params) => {
      const res = await forward(method, params)
      remember(params[0] as never, version)
      relay(method, params)
      return res
    }

  class Methods extends Map<string, RpcMethod> {
    override get(name: string): RpcMethod | undefined {
      return super.get(name) ?? (PASS_THROUGH.test(name) ? (params) => forward(name, params) : undefined)
    }
  }
  const methods = new Methods([
    ['engine_forkchoiceUpdatedV3', forkchoiceUpdated('engine_forkchoiceUpdatedV3')],
    ['engine_forkchoiceUpdatedV2', forkchoiceUpdated('engine_forkchoiceUpdatedV2')],
    ['engine_getPayloadV3', getPayload('engine_getPayloadV3', 3)],
    ['engine_getPayloadV4', getPayload('engine_getPayloadV4', 4)],
    // Karst: the V4 envelope under the V5 name; blocks are still inserted with engine_newPayloadV4.
    [
      'engine_getPayloadV5',
      (params, ctx) => {
        karst = true
        return karstGetPayload(params, ctx)
      },
    ],
    ['engine_newPayloadV3', newPayload('engine_newPayloadV3', 3)],
    ['engine_newPayloadV4', newPayload('engine_newPayloadV4', 4)],
  ])

  const app = createRpcServer({
    methods,
    logger: log,
    // newPayload carries whole blocks, getPayload answers them (the engine client takes ≤ 64 MiB).
    bodyLimit: 64 * 1024 * 1024,
    maxResponseBytes: 128 * 1024 * 1024,
    name: 'engine-proxy',
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.registry ? { registry: o.registry } : {}),
    ...(o.observe ? { observe: o.observe } : {}),
    ...(o.healthz ? { health: o.healthz } : {}),
  })
  installJwtAuth(app, () => [{ id: 'op-node', secret: o.jwtSecret }])
  return app
}
