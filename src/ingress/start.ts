import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import { RouteTable } from '../check/routes.js'
import { loadConfig } from '../config/index.js'
import { senderRecovery } from '../engine/senderRecovery.js'
import { ServiceError, StartupRefusal } from '../errors/index.js'
import { parseChainId } from '../interop/index.js'
import {
  createRegistry,
  createRpcServer,
  listenerLimits,
  type MethodTable,
  RemoteRpcError,
  type RpcMethod,
  rpcCallObserver,
} from '../rpc/index.js'
import {
  AcceptedSet,
  type AcceptedStore,
  type RateLimiter,
  RedisAcceptedSet,
  RedisLink,
  RedisRateLimiter,
  SenderRateLimiter,
} from '../store/index.js'
import { shortErrorText } from '../util/errorText.js'
import { initKeccak } from '../util/keccak.js'
import { createLogger, type Logger } from '../util/logger.js'
import { ActivitySummary } from './activitySummary.js'
import { DependencyHealth } from './dependencyHealth.js'
import { httpStatusFor } from './errors.js'
import { FailsafeGate } from './failsafeGate.js'
import { Forwarder } from './forwarder.js'
import { createIngressMethods } from './ingressMethods.js'
import { InteropValidator } from './interopValidator.js'
import { IngressMetrics } from './metrics.js'
import { type IngressConfig, type IngressInput, ingressSpec } from './options.js'
import { routeObserver, routeUpGauge } from './routeMetrics.js'
import { SenderRecoveryPool } from './senderRecoveryPool.js'
import { createRoutedStrategy } from './strategies/routed.js'
import { SupervisorEndpoint } from './strategies/supervisorEndpoint.js'

export type IngressDeps = {
  /** Shared with an in-process sweep; default: a new set of --accepted-max (in Redis with --redis). */
  acceptedSet?: AcceptedStore
  logger?: Logger
  registry?: Registry
}

export type Ingress = {
  url: string
  chainId: bigint
  config: IngressConfig
  acceptedSet: AcceptedStore
  app: FastifyInstance
  /** The upstream and supervisor probes behind /healthz. */
  dependencies: DependencyHealth
  close(): Promise<void>
}

const SUMMARY_INTERVAL_MS = 60_000

/**
 * Starts `superguard ingress`: a public JSON-RPC endpoint that validates interop transactions
 * against the supervisors before they reach the execution engine and the builders.
 */
export async function startIngress(input: IngressInput, deps: IngressDeps = {}): Promise<Ingress> {
  const config = loadConfig(ingressSpec, { values: input }).config
  await initKeccak()
  const log = (deps.logger ?? createLogger(config.logLevel)).child({ role: 'ingress' })
  const registry = deps.registry ?? createRegistry()
  // Replaced by the Redis set once the chain id (its key's scope) is known.
  let acceptedSet: AcceptedStore = deps.acceptedSet ?? new AcceptedSet(config.acceptedMax)
  const metrics = new IngressMetrics(registry, () => acceptedSet.size)
  const forwarder = new Forwarder(config.upstream, config.builder, {
    upstreamTimeoutMs: config.upstreamTimeout,
    builderTimeoutMs: config.builderTimeout,
    builderBatchMs: config.builderBatch,
    metrics,
    log,
  })
  // --route: the index partitioned by source chain; --supervisor is the default route (strategies/routed.ts).
  const routes = RouteTable.parse(config.route, config.supervisor)
  const endpoints = routes.urls.map(
    (url) =>
      new SupervisorEndpoint(url, {
        timeoutMs: config.supervisorTimeout,
        maxBatch: config.supervisorBatch,
        cooldownMs: config.failoverCooldown,
        observe: (u, http, rpc) =>
          metrics.supervisorChecks.inc({
            url: u,
            http_code: String(http),
            rpc_code: rpc === undefined ? '-' : String(rpc),
          }),
      }),
  )
  const closeClients = () => {
    forwarder.close()
    for (const e of endpoints) e.close()
  }

  let chainId: bigint
  try {
    chainId = config.chainId ?? parseChainId(await forwarder.call('eth_chainId', []))
  } catch (err) {
    closeClients()
    throw new StartupRefusal(
      'endpoint-unreachable',
      config.upstream,
      `cannot learn the chain id from the upstream ${config.upstream} (${shortErrorText(err)}); is it up, or pass --chain-id`,
      { cause: err },
    )
  }

  const failsafe =
    config.failsafePoll > 0
      ? new FailsafeGate(routes.urls, {
          intervalMs: config.failsafePoll,
          timeoutMs: Math.min(config.supervisorTimeout, config.failsafePoll),
          log,
          registry,
        })
      : undefined
  const redis = config.redis
    ? await RedisLink.open({
        url: config.redis,
        timeoutMs: config.redisTimeout,
        log,
        registry,
        metricPrefix: 'superguard_ingress',
      })
    : undefined
  const scope = chainId.toString(10)
  if (redis && !deps.acceptedSet) acceptedSet = new RedisAcceptedSet(redis, { scope, maxSize: config.acceptedMax })
  let rateLimiter: RateLimiter | undefined
  if (config.rateLimit > 0)
    rateLimiter = redis
      ? new RedisRateLimiter(redis, {
          limit: config.rateLimit,
          intervalMs: config.rateInterval,
          scope,
          failOpen: config.redisFail === 'open',
        })
      : new SenderRateLimiter(config.rateLimit, config.rateInterval)

  const strategy = createRoutedStrategy(
    config.strategy,
    routes,
    new Map(endpoints.map((e, i) => [routes.urls[i]!, e])),
    { minResponses: config.minResponses, log, observe: routeObserver(routes, registry) },
  )
  const recovery = senderRecovery()
  // Recovery only serves the rate limit; it runs off the event loop (see SenderRecoveryPool).
  const shared = config.rateLimit > 0 ? SenderRecoveryPool.acquire(recovery) : undefined
  const pool = shared?.pool
  const validator = new InteropValidator({
    strategy,
    chainId,
    maxEntries: config.maxEntries,
    sizeLimit: config.bodyLimit,
    rateLimiter,
    recovery,
    pool,
    metrics,
    failsafe,
    log,
  })
  const summary = new ActivitySummary()
  const dependencies = new DependencyHealth({
    upstream: config.upstream,
    supervisors: routes.urls.map((url, i) => ({ url, label: endpoints[i]!.label })),
    intervalMs: config.healthInterval,
    upstreamTimeoutMs: Math.min(config.upstreamTimeout, config.healthInterval),
    supervisorTimeoutMs: Math.min(config.supervisorTimeout, config.healthInterval),
    registry,
    log,
  })
  const routeHealth = routeUpGauge(routes, endpoints, dependencies, registry)
  const methods = createIngressMethods({
    chainId,
    validator,
    forwarder,
    acceptedSet,
    allowMethods: config.allowMethod,
    summary,
    log,
    metrics,
  })

  // Single responses get proxyd's HTTP status for the ingress's own rejections; the status is
  // keyed by the request's headers object, the one thing a method and a fastify hook share.
  const statuses = new WeakMap<object, number>()
  const app = createRpcServer({
    methods: withStatuses(methods, statuses),
    logger: log,
    name: 'ingress',
    bodyLimit: config.bodyLimit,
    maxBatch: config.maxBatch,
    maxResponseBytes: config.maxResponseBytes,
    limits: listenerLimits(config),
    registry,
    observe: rpcCallObserver(registry),
    health: () => {
      const h = dependencies.health()
      return {
        status: h.status,
        body: {
          ...h.body,
          chainId: chainId.toString(),
          strategy: strategy.name,
          supervisors: endpoints.map((e) => ({ url: e.label, healthy: e.isHealthy() })),
          ...(routeHealth ? { routes: routeHealth() } : {}),
          accepted: acceptedSet.size,
          ...(failsafe ? { failsafe: failsafe.on } : {}),
          ...(redis ? { redis: { url: redis.label, up: redis.up } } : {}),
        },
      }
    },
  })
  app.addHook('onSend', async (req, reply, payload) => {
    const status = statuses.get(req.headers)
    if (status !== undefined && typeof payload === 'string' && payload.startsWith('{')) reply.code(status)
    return payload
  })

  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (err) {
    closeClients()
    failsafe?.close()
    dependencies.close()
    await shared?.release()
    await redis?.close()
    throw err
  }
  dependencies.start()
  await failsafe?.poll() // the first answer before the first transaction, not a second later
  failsafe?.start()
  const { port } = app.server.address() as AddressInfo
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  const timer = setInterval(() => {
    const counts = summary.take()
    if (counts) log.info({ ...counts, accepted: acceptedSet.size }, 'ingress summary (last minute)')
  }, SUMMARY_INTERVAL_MS)
  timer.unref()
  log.info(
    {
      url,
      chainId: chainId.toString(),
      strategy: strategy.name,
      supervisors: endpoints.map((e) => e.label),
      ...(routes.trivial ? {} : { routes: routes.routes.map((r) => `${r.label} → ${r.urls.length}`) }),
      builders: config.builder.length,
      senderRecovery: `${recovery.implementation}${pool ? ', worker thread' : ''}`,
      shared: redis ? { redis: redis.label, failRateLimit: config.redisFail } : 'memory',
    },
    'ingress listening',
  )

  let closing: Promise<void> | undefined
  return {
    url,
    chainId,
    config,
    acceptedSet,
    app,
    dependencies,
    close() {
      closing ??= (async () => {
        clearInterval(timer)
        failsafe?.close()
        dependencies.close()
        await app.close()
        closeClients()
        await shared?.release()
        await redis?.close()
      })()
      return closing
    },
  }
}

/** Records the HTTP status of every error an ingress method raises itself (upstream errors are relayed with 200). */
function withStatuses(methods: MethodTable, statuses: WeakMap<object, number>): MethodTable {
  const out = new Map<string, RpcMethod>()
  for (const [name, fn] of methods) {
    out.set(name, async (params, ctx) => {
      try {
        return await fn(params, ctx)
      } catch (err) {
        if (!(err instanceof RemoteRpcError))
          statuses.set(ctx.headers, err instanceof ServiceError ? httpStatusFor(err) : 500)
        throw err
      }
    })
  }
  return out
}
