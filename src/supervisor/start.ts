import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { Backend } from '../check/backend.js'
import { createIndexBackend } from '../check/indexBackend.js'
import { createRpcBackend, type RpcBackend } from '../check/rpcBackend.js'
import type { CheckRules } from '../check/rules.js'
import { ConfigError } from '../config/index.js'
import { type ChainEndpoint, type Indexer, parseChainEndpoint, startIndexer } from '../logindex/index.js'
import { createRegistry, createRpcServer, listenerLimits, readJwtSecret, rpcCallObserver } from '../rpc/index.js'
import { initKeccak } from '../util/keccak.js'
import { createLogger } from '../util/logger.js'
import { Failsafe } from './failsafe.js'
import { type FilterMetrics, filterMetrics } from './filterMetrics.js'
import { createHealth } from './health.js'
import { SUPERVISOR_METHOD_COSTS } from './methodCosts.js'
import { supervisorAdminMethods, supervisorMethods } from './methods/index.js'
import { supervisorMetrics } from './metrics.js'
import { type SupervisorInput, supervisorConfig } from './options.js'
import { readRollupConfig } from './rollupConfig.js'

export type SupervisorDeps = {
  /** Parent logger (default: a new pino logger at config.logLevel). */
  logger?: Logger
  /** Metrics registry served on /metrics (default: a new one with process metrics). */
  registry?: Registry
  /** Index backend: show backfill progress on stderr (default true; tests turn it off). */
  progress?: boolean
}

export type Supervisor = {
  /** http://host:port of the JSON-RPC endpoint (also /healthz, /metrics). */
  url: string
  port: number
  backend: Backend
  /** The log index (index backend). */
  indexer: Indexer | undefined
  /** The RPC backend with its 'head' / 'reorg' events (rpc backend). */
  rpcBackend: RpcBackend | undefined
  failsafe: Failsafe
  /** http://host:port of the admin listener (--admin-port), undefined without one. */
  adminUrl: string | undefined
  registry: Registry
  /** Resolves once every chain can be answered for (backfill done / first head seen). */
  ready: Promise<void>
  /** Stops the server, then the backend (indexer and database). Idempotent. */
  close(): Promise<void>
}

/**
 * Starts the light supervisor in this process: the backend (log index or RPC), the JSON-RPC
 * server with every supervisor method, /healthz and /metrics. Resolves once it listens; checks
 * answer -320400 for a chain until its backfill is done (`ready`).
 */
export async function startSupervisor(values: SupervisorInput, deps: SupervisorDeps = {}): Promise<Supervisor> {
  const config = supervisorConfig({ values })
  await initKeccak()
  const logger = (deps.logger ?? createLogger(config.logLevel)).child({ role: 'supervisor' })
  const registry = deps.registry ?? createRegistry()
  const chains = endpoints(config.rpc)
  const adminSecret = config.adminJwtSecret === undefined ? undefined : readJwtSecret(config.adminJwtSecret)
  const rollups = config.rollupConfig.map(readRollupConfig)
  const activation = new Map<bigint, bigint>()
  const activationBlocks = new Map<bigint, bigint>()
  for (const r of rollups) {
    if (r.activation === undefined) continue
    activation.set(r.chainId, r.activation.timestamp)
    activationBlocks.set(r.chainId, r.activation.block)
  }
  const rules: CheckRules = {
    allowSameTimestamp: config.allowSameTimestamp,
    allowMissingChainId: config.allowMissingChainId,
    activation,
  }
  const passthrough = config.dangerouslyEnablePassthrough

  let backend: Backend
  let indexer: Indexer | undefined
  let rpcBackend: RpcBackend | undefined
  if (config.backend === 'index') {
    const ix = await startIndexer({
      chains,
      dbPath: config.db,
      backfillMs: config.backfill,
      pollMs: config.poll,
      logger,
      registry,
      progress: deps.progress ?? true,
      rebuildCorrupt: config.rebuildCorruptDb,
      startupCheck: config.startupCheck,
      activationBlocks,
    })
    indexer = ix
    backend = createIndexBackend(ix.reader, { status: () => ix.status(), close: () => ix.close(), storage: ix.storage })
  } else {
    rpcBackend = await createRpcBackend({
      chains,
      pollMs: config.poll,
      logger,
      registry,
      cacheBlocks: config.cacheBlocks,
      concurrency: config.rpcConcurrency,
    })
    backend = rpcBackend
  }
  const ready = indexer?.ready ?? rpcBackend!.ready
  ready.then(
    () => logger.info({ chains: backend.chains().map(String) }, 'every chain ready'),
    () => {},
  )

  const metrics = supervisorMetrics(registry)
  const failsafe = new Failsafe(config.failsafe, metrics.failsafe)
  metrics.filter = filterMetrics(
    registry,
    () => failsafe.enabled,
    () => backend.status(),
  )
  indexer?.on('reorg', (e) => (metrics.filter as FilterMetrics).reorg(e.chainId))
  rpcBackend?.events.on('reorg', (c: bigint) => (metrics.filter as FilterMetrics).reorg(c))
  metrics.passthrough(passthrough)
  if (config.failsafe) logger.warn('failsafe enabled at start: rejecting every check')
  // op-interop-filter logs its passthrough at start and keeps reminding (--failsafe-log-interval, 1 m).
  const passthroughWarning =
    'PASSTHROUGH ENABLED: every check answers valid without looking (--dangerously-enable-passthrough)'
  let passthroughTimer: NodeJS.Timeout | undefined
  if (passthrough) {
    logger.warn(passthroughWarning)
    passthroughTimer = setInterval(() => logger.warn(passthroughWarning), PASSTHROUGH_LOG_MS)
    passthroughTimer.unref()
  }
  const health = createHealth(
    config.poll,
    () => backend.status(),
    Date.now,
    indexer && (() => indexer!.storage.problem()),
  )
  const ctx = {
    backend,
    failsafe,
    logger,
    metrics,
    adminSecret,
    adminListener: config.adminPort !== undefined,
    passthrough,
    rules,
  }
  const app = createRpcServer({
    methods: supervisorMethods(ctx),
    logger,
    name: 'supervisor',
    bodyLimit: config.bodyLimit,
    maxBatch: config.maxBatch,
    methodCosts: SUPERVISOR_METHOD_COSTS,
    maxResponseBytes: config.maxResponseBytes,
    limits: listenerLimits(config),
    registry,
    observe: rpcCallObserver(registry),
    health: passthrough
      ? () => {
          const h = health()
          return { ...h, body: { ...(h.body as object), passthrough: true } }
        }
      : health,
    batchScope: (run) => backend.snapshot(run),
  })
  const admin =
    config.adminPort === undefined
      ? undefined
      : createRpcServer({
          methods: supervisorAdminMethods(ctx),
          logger,
          name: 'supervisor-admin',
          bodyLimit: 64 * 1024,
          maxBatch: config.maxBatch,
          limits: listenerLimits(config),
        })
  try {
    await app.listen({ host: config.host, port: config.port })
    if (admin) await admin.listen({ host: config.host, port: config.adminPort! })
  } catch (err) {
    clearInterval(passthroughTimer)
    await app.close()
    await admin?.close()
    await backend.close()
    throw err
  }
  const adminUrl = admin && hostUrl(config.host, (admin.server.address() as AddressInfo).port)
  const port = (app.server.address() as AddressInfo).port
  const url = hostUrl(config.host, port)
  logger.info(
    {
      url,
      backend: config.backend,
      chains: backend.chains().map(String),
      admin: adminSecret !== undefined,
      ...(adminUrl ? { adminUrl } : {}),
      ...(passthrough ? { passthrough } : {}),
    },
    'supervisor listening',
  )

  let closing: Promise<void> | undefined
  return {
    url,
    port,
    backend,
    indexer,
    rpcBackend,
    failsafe,
    adminUrl,
    registry,
    ready,
    close: () =>
      (closing ??= (async () => {
        clearInterval(passthroughTimer)
        await app.close()
        await admin?.close()
        await backend.close()
      })()),
  }
}

const hostUrl = (host: string, port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`

/** How often the passthrough warning repeats: op-interop-filter's --failsafe-log-interval default. */
const PASSTHROUGH_LOG_MS = 60_000

function endpoints(values: readonly string[]): ChainEndpoint[] {
  const problems: string[] = []
  const out: ChainEndpoint[] = []
  for (const v of values) {
    try {
      out.push(parseChainEndpoint(v))
    } catch (err) {
      problems.push((err as Error).message)
    }
  }
  if (problems.length > 0) throw new ConfigError('supervisor', problems)
  return out
}
