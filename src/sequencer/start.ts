import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { Hex } from '../engine/types.js'
import { StartupRefusal } from '../errors/index.js'
import { RpcClient } from '../rpc/client.js'
import { type Endpoint, parseEndpoint, parseListen } from '../rpc/endpoint.js'
import { readJwtSecret } from '../rpc/jwt.js'
import { listenerLimits } from '../rpc/limits.js'
import { createRegistry, rpcCallObserver } from '../rpc/metrics.js'
import { createRpcServer } from '../rpc/server.js'
import { shortErrorText } from '../util/errorText.js'
import { initKeccak } from '../util/keccak.js'
import { createLogger } from '../util/logger.js'
import { BlockHasher } from './blockHasher.js'
import { createBuilderApi } from './builderApi.js'
import { EngineBuilderClient, PbsBuilderClient } from './builderClient.js'
import { EngineBlockSource } from './engineBlockSource.js'
import { createEngineProxy } from './engineProxy.js'
import { SequencerEvents } from './events.js'
import { debugAuthorize, executionModeMethods, parseExecutionMode } from './executionMode.js'
import { HealthMonitor } from './health.js'
import { SequencerMetrics } from './metrics.js'
import { type SequencerInput, sequencerConfig } from './options.js'
import { PbsCore } from './pbsCore.js'
import { RecentBlocks, ReplicaPublisher } from './replicas.js'
import { StandaloneSequencer } from './standalone.js'
import type { ExecutionMode, Job } from './types.js'

export type SequencerHandle = {
  mode: 'proxy' | 'standalone'
  /** Listener URLs (ports resolved when 0 was asked for). */
  urls: { engine?: string; builder: string; debug: string }
  events: SequencerEvents
  core: PbsCore
  health: HealthMonitor
  registry: Registry
  currentJob(): Job | undefined
  executionMode(): ExecutionMode
  setExecutionMode(mode: ExecutionMode): void
  /** Standalone: the block our engine has as head. */
  head(): { hash: Hex; number: Hex } | undefined
  /** Standalone (devnet, tests): the next slot builds on this older block, reorging the blocks above it away. */
  rewind(blockHash: Hex): void
  close(): Promise<void>
}

export { sequencerConfig } from './options.js'

async function listen(app: FastifyInstance, spec: string, what: string): Promise<string> {
  const { host, port } = parseListen(spec, what)
  await app.listen({ host, port })
  const addr = app.server.address() as AddressInfo
  return `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`
}

/**
 * Starts `superguard sequencer`: proxy mode (op-node → us → engine) unless `blockTime` is set,
 * then standalone mode (our clock). Both run the same PBS core and builder listener.
 */
export async function startSequencer(values: SequencerInput, opts: { logger?: Logger } = {}): Promise<SequencerHandle> {
  const config = sequencerConfig(values)
  await initKeccak()
  const log = (opts.logger ?? createLogger(config.logLevel)).child({ role: 'sequencer' })
  const standalone = config.blockTime !== undefined
  const engineEp: Endpoint = parseEndpoint(config.engine, '--engine')
  if (config.engineJwtSecret) engineEp.jwtSecret = readJwtSecret(config.engineJwtSecret)
  const builderEps = config.builder.map((b) => parseEndpoint(b, '--builder'))
  const engineBuilderEps = config.builderEngine.map((b) => parseEndpoint(b, '--builder-engine'))

  const registry = createRegistry()
  const observe = rpcCallObserver(registry)
  const events = new SequencerEvents()
  const jwt = engineEp.jwtSecret ? { jwtSecret: engineEp.jwtSecret } : {}
  // Separate clients (own sockets) per traffic class: op-node's calls never queue behind validation or probes.
  const hotEngine = new RpcClient(engineEp.url, { ...jwt, timeoutMs: config.engineTimeoutMs })
  const validationEngine = new RpcClient(engineEp.url, { ...jwt, timeoutMs: config.engineTimeoutMs })
  const probeEngine = new RpcClient(engineEp.url, {
    ...jwt,
    timeoutMs: Math.min(config.engineTimeoutMs, Math.max(250, config.healthInterval)),
  })
  const lookupEngine = new RpcClient(engineEp.url, { ...jwt, timeoutMs: config.engineTimeoutMs })
  const supervisor = config.supervisor
    ? new RpcClient(config.supervisor, { timeoutMs: Math.max(250, config.healthInterval) })
    : undefined
  const clientOpts = { timeoutMs: config.builderTimeoutMs, maxInFlight: 8, log }
  const builders = builderEps.map((ep) => new PbsBuilderClient(ep, clientOpts))
  const builderEngines = engineBuilderEps.map((ep) => new EngineBuilderClient(ep, clientOpts))

  // 500 transactions hash in ~0.6 ms inline: below that a thread hop costs more than it saves.
  const hasher = new BlockHasher({ threads: config.hashThreads, inlineMaxTxs: 500 })
  const core = new PbsCore({
    validationEngine,
    builders,
    builderEngines,
    events,
    log,
    hasher,
    mode: parseExecutionMode(config.executionMode),
    minGasRatio: config.minGasRatio,
    maxTxs: config.maxBlockTxs,
    maxBlockBytes: config.maxSubmissionBytes,
    maxSubmissionsPerJob: config.maxSubmissionsPerJob,
    breaker: { threshold: config.breakerThreshold, cooldownMs: config.breakerCooldown },
  })
  let replicas: ReplicaPublisher[] = []
  const recent = new RecentBlocks(config.replicaBacklog)
  const metrics = new SequencerMetrics(
    registry,
    events,
    () => core.mode,
    () => replicas.map((r) => r.status()),
  )
  events.on('validated', (v) =>
    log.debug(
      {
        builder: v.builder,
        jobId: v.jobId,
        blockHash: v.blockHash,
        valid: v.valid,
        reason: v.reason,
        ms: Math.round(v.seconds * 1000),
      },
      'builder block validated',
    ),
  )
  events.on('sealed', (s) =>
    log.info(
      {
        source: s.source,
        reason: s.reason,
        builder: s.builder,
        number: Number(s.number),
        blockHash: s.blockHash,
        jobId: s.jobId,
        engineMs: s.engineMs === undefined ? undefined : Math.round(s.engineMs * 100) / 100,
      },
      'block sealed',
    ),
  )
  const health = new HealthMonitor({
    engine: probeEngine,
    ...(supervisor ? { supervisor } : {}),
    builders: () => core.builderStates(),
    mode: () => core.mode,
    intervalMs: config.healthInterval,
    maxUnsafeAgeMs: config.maxUnsafeAge,
    log,
    events,
    replicas: () => replicas.map((r) => r.status()),
  })
  const healthz = () => health.report()
  const timing = {
    sealLeadMs: config.sealLeadMs,
    validationBudgetMs: config.validationBudgetMs,
    noticeMs: config.noticeMs,
  }
  const limits = listenerLimits(config)

  const apps: FastifyInstance[] = []
  const closers: (() => unknown)[] = []
  let clock: StandaloneSequencer | undefined
  const urls: SequencerHandle['urls'] = { builder: '', debug: '' }
  try {
    const builderApi = createBuilderApi({
      builders: builderEps.map((ep, i) => ({ id: builders[i]!.id, secret: ep.jwtSecret! })),
      submit: (b, p) => core.submit(b, p),
      currentJob: () => core.book.current,
      logger: log,
      registry,
      observe,
      health: healthz,
      maxBodyBytes: config.maxSubmissionBytes,
      requestsPerSecond: config.builderRequestsPerSecond,
      limits,
      maxResponseBytes: config.maxResponseBytes,
    })
    apps.push(builderApi)
    urls.builder = await listen(builderApi, config.listenBuilder, '--listen-builder')

    const debugSecret = config.debugJwtSecret ? readJwtSecret(config.debugJwtSecret) : undefined
    const debug = createRpcServer({
      methods: executionModeMethods(
        () => core.mode,
        (m) => {
          core.mode = m
        },
      ),
      logger: log,
      registry,
      observe,
      health: healthz,
      name: 'debug',
      limits,
      maxResponseBytes: config.maxResponseBytes,
      authorize: debugAuthorize(debugSecret, () =>
        events.emit('error', { where: 'debug_unauthorized', error: undefined }),
      ),
    })
    apps.push(debug)
    urls.debug = await listen(debug, config.listenDebug, '--listen-debug')

    if (!standalone) {
      const proxy = createEngineProxy({
        core,
        engine: hotEngine,
        lookup: lookupEngine,
        jwtSecret: readJwtSecret(config.jwtSecret!),
        timing,
        health,
        builderEngines,
        log,
        registry,
        observe,
        healthz,
        limits,
        failureLogIntervalMs: config.failureLogInterval,
      })
      apps.push(proxy)
      urls.engine = await listen(proxy, config.listenEngine, '--listen-engine')
    }
    health.start()
    if (standalone) {
      // Blocks older than our backlog, or sealed by another leader, come from our engine (a replica that restarted empty).
      const source = new EngineBlockSource(lookupEngine)
      replicas = config.replica.map(
        (r) =>
          new ReplicaPublisher(parseEndpoint(r, '--replica'), {
            timeoutMs: config.engineTimeoutMs,
            source,
            log,
            recent,
            events,
            failureLogIntervalMs: config.failureLogInterval,
          }),
      )
      const mine = replicas
      closers.push(() => Promise.all(mine.map((r) => r.close())))
      const conductor = config.conductor ? new RpcClient(config.conductor, { timeoutMs: 1000 }) : undefined
      if (conductor) closers.push(() => conductor.close())
      clock = new StandaloneSequencer({
        core,
        engine: hotEngine,
        replicas,
        recent,
        builderEngines,
        health,
        blockTimeMs: config.blockTime!,
        timing,
        log,
        failureLogIntervalMs: config.failureLogInterval,
        ...(conductor ? { conductor } : {}),
        feeRecipient: config.feeRecipient as Hex,
        gasLimit: config.gasLimit,
        ...(config.eip1559Params ? { eip1559Params: config.eip1559Params as Hex } : {}),
        ...(config.minBaseFee !== undefined ? { minBaseFee: config.minBaseFee } : {}),
      })
      try {
        await clock.start()
      } catch (err) {
        // Standalone reads the engine's head before its first slot: an engine down now is the operator's to fix.
        throw new StartupRefusal(
          'endpoint-unreachable',
          engineEp.url,
          `cannot read the head of the engine ${engineEp.url} (eth_getBlockByNumber): ${shortErrorText(err)}`,
          { cause: err },
        )
      }
    }
  } catch (err) {
    await Promise.all(apps.map((a) => a.close()))
    await hasher.close()
    health.close()
    metrics.close()
    for (const c of [hotEngine, validationEngine, probeEngine, lookupEngine, supervisor]) c?.close()
    throw err
  }
  log.info(
    {
      mode: standalone ? 'standalone' : 'proxy',
      ...urls,
      // The engine we forward to / drive (urls.engine is our own --listen-engine, op-node's side).
      upstreamEngine: engineEp.url,
      builders: builders.length,
      builderEngines: builderEngines.length,
      executionMode: core.mode,
      debugSetExecutionMode: config.debugJwtSecret ? 'jwt' : 'off',
    },
    'sequencer started',
  )

  let closed: Promise<void> | undefined
  return {
    mode: standalone ? 'standalone' : 'proxy',
    urls,
    events,
    core,
    health,
    registry,
    currentJob: () => core.book.current,
    executionMode: () => core.mode,
    setExecutionMode: (m) => {
      core.mode = m
    },
    head: () => clock?.head,
    rewind: (blockHash) => {
      if (!clock) throw new Error('rewind: standalone mode only')
      clock.rewind(blockHash)
    },
    close: () =>
      (closed ??= (async () => {
        core.close()
        await clock?.close()
        health.close()
        await Promise.all(apps.map((a) => a.close()))
        metrics.close()
        await hasher.close()
        await Promise.all(closers.map((c) => c()))
        for (const b of [...builders, ...builderEngines]) b.close()
        for (const c of [hotEngine, validationEngine, probeEngine, lookupEngine, supervisor]) c?.close()
      })()),
  }
}
