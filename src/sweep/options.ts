import { parseRoutes } from '../check/routes.js'
import { listenerLimitOptions } from '../config/common.js'
import { type ConfigOf, defineOptions, defineSpec, type InputOf } from '../config/index.js'
import { SAFETY_LEVELS } from '../interop/index.js'
import { LOG_LEVELS } from '../util/logger.js'
import { SWEEP_MODES, type SweepMode } from './protocol.js'

/**
 * Unique accesses per worker task (and per JSON-RPC batch in supervisor mode), by mode.
 * Chosen from bench/sweep/sweep.bench.ts's grid on a 2-core machine (see bench/sweep/README.md):
 *  - index: 4096. A chunk is pure SQLite work (a few µs per access); bigger chunks only amortise
 *    the message round trip, and 100k accesses still make ~25 tasks, enough to balance the
 *    workers and to start checking while the main thread is still planning.
 *  - supervisor: 768. One chunk is one HTTP batch, and its body must fit the supervisor's (and
 *    proxyd's) default 128 KiB limit: 768 accesses in calls of ACCESSES_PER_CALL are ~115 KB
 *    (~150 bytes an access). Past a few hundred accesses per request the HTTP cost is amortised;
 *    the supervisor's per-check work dominates.
 *  - rpc: 64. Each access may cost upstream eth_getLogs calls; small chunks spread them over workers.
 */
export const DEFAULT_CHUNK_SIZE: Readonly<Record<SweepMode, number>> = { index: 4096, supervisor: 768, rpc: 64 }

/**
 * Accesses per checkAccessList call in supervisor mode. A supervisor spends as much on a call
 * (dispatch, descriptor and safety parsing, metrics) as on a cheap indexed check, so grouping
 * roughly halves its work on a valid pool; a failing call is re-asked one access per call.
 * 16 keeps a call's entries far below proxyd's 1000-entry access-list limit.
 */
export const ACCESSES_PER_CALL = 16

/**
 * Tasks a worker runs at once, by mode: index checks are synchronous CPU work (1 each); a
 * supervisor batch mostly waits on the network, so two per worker keep the supervisor busy.
 */
export const TASKS_PER_WORKER: Readonly<Record<SweepMode, number>> = { index: 1, supervisor: 2, rpc: 1 }

/** One-shot rounds get this long; interval rounds get one interval. */
export const DEFAULT_ONE_SHOT_TIMEOUT_MS = 30_000

export const sweepOptions = defineOptions({
  source: {
    type: 'enum',
    choices: ['txpool', 'accepted'],
    default: 'txpool',
    help: "mempool to sweep: txpool = an execution client's txpool_content (--rpc); accepted = the ingress's accepted set (in the ingress's process, or in Redis with --redis)",
  },
  redis: {
    type: 'string',
    arg: 'URL',
    help: "redis:// URL of the ingress replicas' shared accepted set (--source accepted from any process)",
  },
  redisTimeout: { type: 'duration', default: '250ms', min: 1, help: 'bound on each Redis command' },
  rpc: {
    type: 'string',
    arg: 'URL',
    help: 'execution client serving txpool_content (anvil, geth, reth); --drop uses its anvil_dropTransaction',
  },
  txpoolRead: {
    type: 'enum',
    flag: 'txpool-read',
    choices: ['auto', 'full'],
    default: 'auto',
    help: 'auto = txpool_content once, then only what changed (pending-transaction and block filters, new transactions by hash, txpool_status to catch the rest) where the client serves filters; full = txpool_content every round',
  },
  verdictTtlMs: {
    type: 'duration',
    flag: 'verdict-ttl',
    default: '0s',
    min: 0,
    help: "reuse a transaction's valid/evict verdict for up to DURATION (dropped sooner on a reorg of a source block it reads, at its message's expiry, or once it leaves the pool); 0 = check every transaction every round",
  },
  mode: {
    type: 'enum',
    choices: SWEEP_MODES,
    default: 'supervisor',
    help: "how accesses are checked: supervisor = one JSON-RPC batch per chunk; index = read-only look-ups in the supervisor's SQLite file; rpc = eth_getLogs against each chain",
  },
  supervisor: {
    type: 'string',
    arg: 'URL',
    help: 'supervisor JSON-RPC endpoint (mode supervisor); with --route, the default route of chains without one',
  },
  route: {
    type: 'strings',
    default: [],
    arg: 'CHAINID=URL',
    help: 'mode supervisor over a partitioned index: accesses initiated on CHAINID are checked by this supervisor; repeat a chain for a failover list (an access no supervisor answered goes to the next). An access on a chain with neither --route nor --supervisor is -320501 and its transaction is kept',
  },
  vote: {
    type: 'strings',
    default: [],
    arg: 'URL',
    help: "mode supervisor: another supervisor asked about every access beside --supervisor; an access's verdict is what a strict majority of them answered (valid, evict or keep), else NoMajority and its transaction is kept, so one lying or broken supervisor can neither evict a valid transaction nor keep a forged one",
  },
  index: { type: 'path', arg: 'PATH', help: "the supervisor's SQLite log index, opened read-only (mode index)" },
  chainRpc: {
    type: 'strings',
    flag: 'chain-rpc',
    arg: 'URL',
    help: 'RPC of each chain of the dependency set (mode rpc)',
  },
  intervalMs: {
    type: 'duration',
    flag: 'interval',
    help: 'sweep every DURATION, e.g. 2s (without it: one round, print the report, exit)',
  },
  chunkSize: {
    type: 'int',
    min: 1,
    max: 100_000,
    help: `unique accesses per worker task / batch request (default by mode: index ${DEFAULT_CHUNK_SIZE.index}, supervisor ${DEFAULT_CHUNK_SIZE.supervisor}, rpc ${DEFAULT_CHUNK_SIZE.rpc}); in supervisor mode a batch must fit the supervisor's body limit (~150 bytes an access)`,
  },
  threads: { type: 'int', min: 1, max: 256, help: 'worker threads (default: available parallelism)' },
  windowMs: {
    type: 'duration',
    flag: 'window',
    default: '1d',
    help: 'pre-verification window: transactions first seen longer ago are evicted; also the timeout of every check',
  },
  minSafety: {
    type: 'enum',
    choices: SAFETY_LEVELS,
    default: 'cross-unsafe',
    help: 'minimum safety of initiating messages',
  },
  drop: {
    type: 'bool',
    default: false,
    help: 'remove evicted transactions (anvil_dropTransaction; the accepted set in-process)',
  },
  notify: {
    type: 'strings',
    arg: 'URL',
    help: 'builder JSON-RPC endpoint told about evicted transactions (builder_evictTransactions)',
  },
  json: {
    type: 'bool',
    default: false,
    help: 'print reports as JSON (one-shot: the whole report; interval: one summary line per round)',
  },
  chainId: {
    type: 'chainId',
    arg: 'ID',
    help: 'executing chain id, decimal or 0x-hex (default: eth_chainId of --rpc)',
  },
  requestTimeoutMs: {
    type: 'duration',
    flag: 'request-timeout',
    default: '5s',
    help: 'bound on each request (txpool_content, a batch, a drop, a builder notice)',
  },
  roundTimeoutMs: {
    type: 'duration',
    flag: 'round-timeout',
    help: `bound on one round; unchecked accesses are kept for the next (default: the interval or --request-timeout if longer; one-shot ${DEFAULT_ONE_SHOT_TIMEOUT_MS / 1000}s)`,
  },
  method: {
    type: 'string',
    default: 'supervisor_checkAccessList',
    help: 'check method in supervisor mode (interop_checkAccessList for op-interop-filter)',
  },
  accessesPerCall: {
    type: 'int',
    default: ACCESSES_PER_CALL,
    min: 1,
    max: 256,
    help: 'supervisor mode: accesses per checkAccessList call (a failing call is re-asked one access per call; 1 = always one per call)',
  },
  evictOnReorg: {
    type: 'bool',
    default: false,
    help: "evict every interop transaction with an access on a source chain at or above a height that reorged (op-reth evicts every interop transaction on a reorg of its own chain); the reorg is seen through the mode's own source (the supervisor's interop_getBlockHashByNumber, the index file, the chain's RPC)",
  },
  failsafePoll: {
    type: 'duration',
    default: '1s',
    help: 'how often admin_getFailsafeEnabled is polled on --supervisor and every --failsafe-supervisor (OR-ed, as op-reth: on at the first true, off when all say false); while on, rounds keep every interop transaction without a check. 0 = never poll',
  },
  failsafeSupervisor: {
    type: 'strings',
    flag: 'failsafe-supervisor',
    arg: 'URL',
    help: "supervisor (or op-interop-filter) whose failsafe the sweep honours, besides --supervisor: the cluster's other members, or in index/rpc mode the supervisor whose index or chains are read",
  },
  metricsPort: { type: 'port', flag: 'metrics-port', help: 'serve Prometheus /metrics on this port (CLI)' },
  host: { type: 'string', default: '127.0.0.1', help: 'address the metrics endpoint listens on' },
  logLevel: { type: 'enum', choices: LOG_LEVELS, default: 'info', help: 'log level' },
  // The metrics endpoint's listener. Its request bound gets a flag of its own: `--request-timeout`
  // has bounded the sweep's outgoing requests since the sweep's first release (every other role
  // uses it for its listener), and two options on one flag left one of them unreachable.
  ...listenerLimitOptions,
  requestTimeout: {
    ...listenerLimitOptions.requestTimeout,
    flag: 'metrics-request-timeout',
    help: 'metrics listener: a request (headers and body) must arrive within this (HTTP 408 after); --request-timeout bounds outgoing requests',
  },
  headersTimeout: {
    ...listenerLimitOptions.headersTimeout,
    help: 'metrics listener: request headers must arrive within this (at most --metrics-request-timeout)',
  },
})

/** What startSweep takes: the CLI's config, or any subset of it from library callers (defaults apply). */
export type SweepConfig = InputOf<typeof sweepOptions>
/** The sweep's configuration once loaded: every default filled in. */
export type SweepSettings = ConfigOf<typeof sweepOptions>

/** What the sweep's rules need to know beyond its options. */
export type SweepContext = { hasAcceptedSet: boolean }

export const sweepSpec = defineSpec({
  role: 'sweep',
  envPrefix: 'SUPERGUARD_SWEEP_',
  options: sweepOptions,
  check: sweepConfigProblems,
})

/** Every problem across options, for one ConfigError (the CLI has no accepted set). */
function sweepConfigProblems(c: SweepSettings, context: SweepContext | undefined): string[] {
  const p: string[] = []
  const { source, mode } = c
  if (source === 'txpool' && !c.rpc)
    p.push('--source txpool needs --rpc URL (an execution client serving txpool_content)')
  if (source === 'accepted' && !context?.hasAcceptedSet && !c.redis)
    p.push(
      "--source accepted sweeps the ingress's accepted set: in the ingress's process (startSweep(config, { acceptedSet })) or shared in Redis (--redis URL); else use --source txpool",
    )
  if (c.redis !== undefined && !/^rediss?:\/\/./.test(c.redis))
    p.push(`--redis ${JSON.stringify(c.redis)}: expected a redis:// or rediss:// URL`)
  const routed = parseRoutes(c.route ?? [])
  p.push(...routed.problems)
  if (mode === 'supervisor' && !c.supervisor && routed.routes.size === 0 && routed.problems.length === 0)
    p.push('--mode supervisor needs --supervisor URL (or --route CHAINID=URL per source chain)')
  if (mode !== 'supervisor' && (c.route ?? []).length > 0)
    p.push(
      mode === 'index'
        ? '--route applies to --mode supervisor: --mode index reads one local index file (--index PATH), which holds the chains it holds'
        : '--route applies to --mode supervisor: --mode rpc already asks each chain its own RPC (--chain-rpc)',
    )
  if ((c.vote ?? []).length > 0 && (mode !== 'supervisor' || !c.supervisor || (c.route ?? []).length > 0))
    p.push(
      '--vote applies to --mode supervisor with --supervisor URL and no --route (the votes are asked about every access)',
    )
  if (mode === 'index' && !c.index) p.push('--mode index needs --index PATH')
  if (mode === 'rpc' && !(c.chainRpc && c.chainRpc.length > 0))
    p.push('--mode rpc needs --chain-rpc URL for every chain of the dependency set')
  if (c.chainId === undefined && !c.rpc) p.push('--chain-id is required without --rpc (it names the executing chain)')
  const urls: [string, string | undefined][] = [
    ['--rpc', c.rpc],
    ['--supervisor', c.supervisor],
    ...(c.chainRpc ?? []).map((u): [string, string] => ['--chain-rpc', u]),
    ...(c.notify ?? []).map((u): [string, string] => ['--notify', u]),
    ...(c.vote ?? []).map((u): [string, string] => ['--vote', u]),
    ...(c.failsafeSupervisor ?? []).map((u): [string, string] => ['--failsafe-supervisor', u]),
  ]
  for (const [flag, url] of urls)
    if (url !== undefined && !isHttpUrl(url)) p.push(`${flag} ${JSON.stringify(url)}: expected an http(s) URL`)
  return p
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}
