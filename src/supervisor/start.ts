import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { Backend } from '../check/backend.js'
import { createIndexBackend } from '../check/indexBackend.js'
import { createRpcBackend, type RpcBackend } from '../check/rpcBackend.js'
import { ConfigError } from '../config/index.js'
import { type ChainEndpoint, type Indexer, parseChainEndpoint, startIndexer } from '../logindex/index.js'
import { createRegistry, createRpcServer, listenerLimits, readJwtSecret, rpcCallObserver } from '../rpc/index.js'
import { initKeccak } from '../util/keccak.js'
import { createLogger } from '../util/logger.js'
import { Failsafe } from './failsafe.js'
import { createHealth } from './health.js'
import { SUPERVISOR_METHOD_COSTS } from './methodCosts.js'
import { supervisorMethods } from './methods/index.js'
import { supervisorMetrics } from './metrics.js'
import { type SupervisorInput, supervisorConfig } from './options.js'

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
  if (config.failsafe) logger.warn('failsafe enabled at start: rejecting every check')
  const app = createRpcServer({
    methods: supervisorMethods({ backend, failsafe, logger, metrics, adminSecret }),
    logger,
    name: 'supervisor',
    bodyLimit: config.bodyLimit,
    maxBatch: config.maxBatch,
    methodCosts: SUPERVISOR_METHOD_COSTS,
    maxResponseBytes: config.maxResponseBytes,
    limits: listenerLimits(config),
    registry,
    observe: rpcCallObserver(registry),
    health: createHealth(config.poll, () => backend.status(), Date.now, indexer && (() => indexer!.storage.problem())),
    batchScope: (run) => backend.snapshot(run),
  })
  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (err) {
    await backend.close()
    throw err
  }
  const port = (app.server.address() as AddressInfo).port
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  logger.info(
    { url, backend: config.backend, chains: backend.chains().map(String), admin: adminSecret !== undefined },
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
    registry,
    ready,
    close: () =>
      (closing ??= (async () => {
        await app.close()
        await backend.close()
      })()),
  }
}

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
