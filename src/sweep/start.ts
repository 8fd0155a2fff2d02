import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Registry } from 'prom-client'
import { RouteTable } from '../check/routes.js'
import { loadConfig } from '../config/index.js'
import { StartupRefusal } from '../errors/index.js'
import { RpcClient } from '../rpc/client.js'
import { FailsafePoller } from '../rpc/failsafePoller.js'
import { createRegistry } from '../rpc/metrics.js'
import { RedisAcceptedSet, RedisLink } from '../store/index.js'
import { shortErrorText } from '../util/errorText.js'
import { FailureLog } from '../util/failureLog.js'
import { createLogger, type Logger } from '../util/logger.js'
import { AcceptedSetSource } from './acceptedSetSource.js'
import { BuilderNotifier } from './builderNotifier.js'
import { failsafeRound } from './failsafeRound.js'
import { createSweepMetrics } from './metrics.js'
import {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_ONE_SHOT_TIMEOUT_MS,
  type SweepConfig,
  sweepSpec,
  TASKS_PER_WORKER,
} from './options.js'
import { SweepPool } from './pool.js'
import type { CheckBackend } from './protocol.js'
import { ReorgWatch } from './reorgWatch.js'
import { RoutedDispatch } from './routeChunk.js'
import { Sweeper } from './sweeper.js'
import { type SweepReport, summary } from './sweepReport.js'
import { type RoundContext, sweepRound } from './sweepRound.js'
import type { AcceptedTxs, SweepSource } from './sweepSource.js'
import { TxpoolSource } from './txpoolSource.js'
import { VerdictCache } from './verdictCache.js'
import { VotingDispatch } from './voteChunk.js'

export type SweepDeps = {
  /** The ingress's accepted set: the source with --source accepted, and kept in step by --drop otherwise. */
  acceptedSet?: AcceptedTxs
  logger?: Logger
  registry?: Registry
  /** Called with every round's report (interval rounds and runOnce alike). */
  onReport?: (report: SweepReport) => void
}

export type Sweep = {
  /** Runs one round now (after any round in progress) and resolves with its report. */
  runOnce(): Promise<SweepReport>
  /** Stops the interval loop, aborts a running round, stops the workers. */
  close(): Promise<void>
  readonly chainId: bigint
  readonly registry: Registry
  /** The cluster's failsafe as last polled (false when nothing is polled): while on, rounds keep everything unchecked. */
  readonly failsafe: boolean
}

/**
 * Starts a mempool sweep: a worker pool, the source, and with `intervalMs` a loop of rounds
 * (without it, nothing runs until runOnce). Throws ConfigError listing every configuration problem.
 */
export async function startSweep(values: SweepConfig, deps: SweepDeps = {}): Promise<Sweep> {
  const config = loadConfig(sweepSpec, { values, context: { hasAcceptedSet: deps.acceptedSet !== undefined } }).config
  const log = (deps.logger ?? createLogger(config.logLevel)).child({ role: 'sweep' })
  const { mode, requestTimeoutMs } = config
  const chainId = config.chainId ?? (await remoteChainId(config.rpc!, requestTimeoutMs))

  // --route (supervisor mode): the index partitioned by source chain; --supervisor is the default route.
  const routes =
    mode === 'supervisor' ? RouteTable.parse(config.route, config.supervisor ? [config.supervisor] : []) : undefined
  const supervisorBackend = (url: string): CheckBackend & { mode: 'supervisor' } => ({
    mode: 'supervisor',
    url,
    method: config.method,
    timeoutMs: requestTimeoutMs,
    accessesPerCall: config.accessesPerCall,
  })
  const backend: CheckBackend =
    mode === 'supervisor'
      ? supervisorBackend(config.supervisor ?? routes!.urls[0]!)
      : mode === 'index'
        ? { mode, path: config.index! }
        : { mode, chainRpcs: config.chainRpc ?? [], timeoutMs: requestTimeoutMs }
  // Everything that can throw comes before the pool, whose threads would keep the process alive.
  const registry = deps.registry ?? createRegistry()
  // --source accepted out of the ingress's process: the replicas' set in Redis (scoped by chain id).
  const redis =
    config.redis && !deps.acceptedSet
      ? await RedisLink.open({
          url: config.redis,
          timeoutMs: config.redisTimeout,
          log,
          registry,
          metricPrefix: 'superguard_sweep',
        })
      : undefined
  const acceptedSet = deps.acceptedSet ?? (redis && new RedisAcceptedSet(redis, { scope: chainId.toString(10) }))
  const metrics = createSweepMetrics(registry)
  const notifier =
    config.notify && config.notify.length > 0
      ? new BuilderNotifier(config.notify, chainId, requestTimeoutMs)
      : undefined
  // Sampled every 1 ms, and only while a round runs (sweepRound enables it): a value is the delay
  // plus the 1 ms sampling interval, so p99 reads close to the real delay.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 })
  const pool = new SweepPool({
    ...(config.threads === undefined ? {} : { threads: config.threads }),
    tasksPerWorker: TASKS_PER_WORKER[mode],
  })
  const source: SweepSource =
    config.source === 'accepted'
      ? new AcceptedSetSource(acceptedSet!)
      : new TxpoolSource({
          url: config.rpc!,
          pool,
          timeoutMs: requestTimeoutMs,
          incremental: config.txpoolRead === 'auto',
        })

  const routed = routes && !routes.trivial ? new RoutedDispatch(pool, routes, supervisorBackend, registry) : undefined
  // --vote (no --route: options.ts refuses both): every chunk to every supervisor of the vote.
  const voting =
    config.vote.length > 0
      ? new VotingDispatch(pool, [config.supervisor!, ...config.vote], supervisorBackend, registry)
      : undefined
  // One watch of the source chains: it evicts what a reorg reaches (--evict-on-reorg) and tells the
  // verdict cache (--verdict-ttl) which verdicts a reorg made stale.
  const cache = config.verdictTtlMs > 0 ? new VerdictCache({ ttlMs: config.verdictTtlMs }) : undefined
  const reorgWatch =
    config.evictOnReorg || cache
      ? new ReorgWatch({
          pool,
          backend,
          log,
          registry,
          evict: config.evictOnReorg,
          blockHashes: routed && ((t, sig) => routed.blockHashes(t, sig)),
        })
      : undefined
  const ctx: RoundContext = {
    source,
    pool,
    backend,
    mode,
    chainId,
    notifier,
    minSafety: config.minSafety,
    windowMs: config.windowMs,
    chunkSize: config.chunkSize ?? DEFAULT_CHUNK_SIZE[mode],
    // A round may outlast the interval (the next one then starts at once, never overlapping), but
    // never a single request's timeout: a short interval must not cut every collect short.
    roundTimeoutMs:
      config.roundTimeoutMs ??
      (config.intervalMs === undefined ? DEFAULT_ONE_SHOT_TIMEOUT_MS : Math.max(config.intervalMs, requestTimeoutMs)),
    drop: config.drop,
    acceptedSet,
    loopDelay,
    dispatch: routed?.dispatch ?? voting?.dispatch,
    ...(reorgWatch && { prejudge: (txs, deadline, signal) => reorgWatch.prejudge(txs, deadline, signal) }),
    cache,
  }
  // The failsafe of every supervisor we know, OR-ed (op-reth's quorum client): while it is on the
  // supervisors refuse every check with -320602, so a round keeps everything without asking.
  const failsafeUrls = [...new Set([...(routes?.urls ?? []), ...config.vote, ...(config.failsafeSupervisor ?? [])])]
  const failsafe =
    config.failsafePoll > 0 && failsafeUrls.length > 0
      ? new FailsafePoller(failsafeUrls, {
          intervalMs: config.failsafePoll,
          timeoutMs: Math.min(requestTimeoutMs, config.failsafePoll),
          log,
          registry,
          metricName: 'superguard_sweep_failsafe_enabled',
          onMessage: 'failsafe on at a supervisor: keeping every interop transaction unchecked',
        })
      : undefined
  const roundFailures = new FailureLog(log, 'sweep round failed', 10_000)
  const sweeper = new Sweeper(
    async (n, signal) => {
      let report: SweepReport
      try {
        report = failsafe?.on ? await failsafeRound(ctx, n, signal) : await sweepRound(ctx, n, signal)
      } catch (err) {
        metrics.roundFailed()
        throw err
      }
      metrics.observe(report)
      roundFailures.success()
      log.info(summary(report), 'sweep round')
      deps.onReport?.(report)
      return report
    },
    {
      intervalMs: config.intervalMs ?? 0,
      onReport: () => {},
      // A source or supervisor that is down fails every round (every --interval, 2 s: 1,800 lines an
      // hour): one warning per 10 s with the count, and one line when a round completes again.
      onError: (err) => roundFailures.failure(err),
    },
  )
  log.info(
    {
      source: source.name,
      mode,
      chainId: chainId.toString(),
      threads: pool.threads,
      chunkSize: ctx.chunkSize,
      intervalMs: config.intervalMs ?? null,
      windowMs: ctx.windowMs,
      evictOnReorg: config.evictOnReorg,
      txpoolRead: config.source === 'txpool' ? config.txpoolRead : null,
      verdictTtlMs: config.verdictTtlMs,
      ...(routed ? { routes: routes!.routes.map((r) => `${r.label} → ${r.urls.length} supervisor(s)`) } : {}),
    },
    'sweep started',
  )
  await failsafe?.poll() // the first answer before the first round, not a second later
  failsafe?.start()
  if (config.intervalMs !== undefined) sweeper.start()

  let closing: Promise<void> | undefined
  return {
    chainId,
    registry,
    get failsafe() {
      return failsafe?.on ?? false
    },
    runOnce: () => sweeper.runOnce(),
    close: () =>
      (closing ??= (async () => {
        failsafe?.close()
        reorgWatch?.close()
        await sweeper.close()
        await pool.close()
        source.close()
        notifier?.close()
        await redis?.close()
      })()),
  }
}

async function remoteChainId(url: string, timeoutMs: number): Promise<bigint> {
  const client = new RpcClient(url, { timeoutMs })
  try {
    return BigInt(await client.call<string>('eth_chainId'))
  } catch (err) {
    throw new StartupRefusal(
      'endpoint-unreachable',
      url,
      `cannot read the executing chain id from ${url} (eth_chainId): ${shortErrorText(err)}; pass --chain-id`,
      { cause: err },
    )
  } finally {
    client.close()
  }
}
