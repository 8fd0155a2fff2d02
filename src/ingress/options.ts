import { parseRoutes } from '../check/routes.js'
import { listenOptions } from '../config/common.js'
import { type ConfigOf, defineOptions, defineSpec, type InputOf } from '../config/index.js'
import { STRATEGIES } from './strategies/strategy.js'

/** Read-only methods proxied to the upstream by default; everything else but transaction submission is -32601. */
export const DEFAULT_ALLOWED_METHODS = [
  'eth_blockNumber',
  'eth_call',
  'eth_chainId',
  'eth_estimateGas',
  'eth_feeHistory',
  'eth_gasPrice',
  'eth_getBalance',
  'eth_getBlockByHash',
  'eth_getBlockByNumber',
  'eth_getBlockReceipts',
  'eth_getCode',
  'eth_getLogs',
  'eth_getStorageAt',
  'eth_getTransactionByHash',
  'eth_getTransactionCount',
  'eth_getTransactionReceipt',
  'eth_maxPriorityFeePerGas',
  'eth_syncing',
  'net_version',
  'web3_clientVersion',
] as const

export const ingressOptions = defineOptions({
  ...listenOptions,
  port: { type: 'port', default: 8545, help: 'port to listen on (0 = any free port)' },
  upstream: {
    type: 'string',
    required: true,
    arg: 'URL',
    help: 'execution engine JSON-RPC URL: valid transactions are sent here and its answer returned',
  },
  builder: {
    type: 'strings',
    default: [],
    arg: 'URL',
    help: 'block builder JSON-RPC URL, sent every valid transaction fire-and-forget',
  },
  supervisor: {
    type: 'strings',
    arg: 'URL',
    help: 'supervisor (interop_checkAccessList) URL; with --route, the default route of chains without one',
  },
  route: {
    type: 'strings',
    default: [],
    arg: 'CHAINID=URL',
    help: "supervisor holding the index of source chain CHAINID (a partitioned index); repeat a chain for its redundancy set, which --strategy and --min-responses apply to. Accesses are checked per route, a transaction is valid when every route's part is; a chain with neither --route nor --supervisor is -320501",
  },
  strategy: { type: 'enum', choices: STRATEGIES, default: 'agreement', help: 'how supervisor answers make a verdict' },
  minResponses: {
    type: 'int',
    min: 1,
    arg: 'N',
    help: 'agreement quorum: definitive answers needed (default: every supervisor)',
  },
  supervisorTimeout: { type: 'duration', default: '2s', min: 1, help: 'deadline of one supervisor check' },
  failsafePoll: {
    type: 'duration',
    default: '1s',
    help: 'how often admin_getFailsafeEnabled is polled on every supervisor (OR-ed, as op-reth: on at the first true, off when all say false); while on, interop transactions are refused -320602 / HTTP 503 without a check. 0 = never poll',
  },
  supervisorBatch: {
    type: 'int',
    default: 100,
    min: 1,
    arg: 'N',
    help: 'most checks sent to a supervisor in one JSON-RPC batch (checks of the same event-loop turn are coalesced; 1 = never)',
  },
  failoverCooldown: {
    type: 'duration',
    default: '10s',
    help: 'how long the failover strategy skips a failing supervisor',
  },
  maxEntries: {
    type: 'int',
    default: 1000,
    min: 1,
    arg: 'N',
    help: 'most CrossL2Inbox access-list entries in one transaction',
  },
  bodyLimit: {
    type: 'int',
    default: 128 * 1024,
    min: 1024,
    arg: 'BYTES',
    help: 'largest request body, and largest interop transaction',
  },
  rateLimit: {
    type: 'int',
    default: 100,
    min: 0,
    arg: 'N',
    help: 'interop transactions per sender per --rate-interval (0 = no limit)',
  },
  rateInterval: { type: 'duration', default: '1s', min: 1, help: 'window of the per-sender rate limit' },
  allowMethod: {
    type: 'strings',
    default: DEFAULT_ALLOWED_METHODS,
    arg: 'METHOD',
    help: 'method proxied to the upstream',
  },
  chainId: {
    type: 'chainId',
    arg: 'ID',
    help: 'chain id of the upstream, decimal or 0x (default: asked with eth_chainId)',
  },
  acceptedMax: {
    type: 'int',
    default: 100_000,
    min: 1,
    arg: 'N',
    help: 'accepted interop transactions remembered for the sweep',
  },
  redis: {
    type: 'string',
    arg: 'URL',
    help: 'redis:// URL: the per-sender rate limit and the accepted set are shared there by every ingress replica (default: in memory)',
  },
  redisFail: {
    type: 'enum',
    choices: ['open', 'closed'],
    default: 'closed',
    help: 'when Redis cannot answer the rate limit: closed = refuse the interop transaction (-32603, HTTP 503), open = let it through',
  },
  redisTimeout: { type: 'duration', default: '250ms', min: 1, help: 'bound on each Redis command' },
  upstreamTimeout: { type: 'duration', default: '5s', min: 1, help: 'deadline of one upstream call' },
  builderTimeout: { type: 'duration', default: '1s', min: 1, help: 'deadline of one builder call' },
  builderBatch: {
    type: 'duration',
    default: '0ms',
    help: 'send transactions to the builders as one JSON-RPC batch per builder every DURATION (at most 100 a batch, 1,024 queued or in flight a builder, more dropped: superguard_ingress_forwards_total{target="builder",result="dropped"} and a warning); 0 = one call per transaction at once',
  },
  maxBatch: { type: 'int', default: 100, min: 1, arg: 'N', help: 'most requests in one JSON-RPC batch' },
  healthInterval: {
    type: 'duration',
    default: '5s',
    min: 10,
    help: 'how often /healthz probes the upstream (eth_chainId) and each supervisor (supervisor_syncStatus), each within its --*-timeout',
  },
})

export type IngressConfig = ConfigOf<typeof ingressOptions>

/** What a library caller gives (upstream and supervisor required); the rest takes the CLI's defaults. */
export type IngressInput = InputOf<typeof ingressOptions>

export const ingressSpec = defineSpec({
  role: 'ingress',
  envPrefix: 'SUPERGUARD_INGRESS_',
  options: ingressOptions,
  check: ingressConfigProblems,
})

/** Checks across options that the per-option loader cannot make. */
function ingressConfigProblems(c: IngressConfig): string[] {
  const problems: string[] = []
  const urls = [
    ['--upstream', c.upstream],
    ...(c.supervisor ?? []).map((u) => ['--supervisor', u]),
    ...c.builder.map((u) => ['--builder', u]),
  ] as const
  for (const [flag, u] of urls) {
    if (u === undefined) continue
    let ok = false
    try {
      ok = ['http:', 'https:'].includes(new URL(u).protocol)
    } catch {}
    if (!ok) problems.push(`${flag}: expected an http(s) URL, got ${JSON.stringify(u)}`)
  }
  if (c.redis !== undefined && !isRedisUrl(c.redis))
    problems.push(`--redis: expected a redis:// or rediss:// URL, got ${JSON.stringify(c.redis)}`)
  const routed = parseRoutes(c.route ?? [])
  problems.push(...routed.problems)
  if ((c.supervisor ?? []).length === 0 && routed.routes.size === 0 && routed.problems.length === 0)
    problems.push('--supervisor is required (at least one), or --route CHAINID=URL per source chain')
  if (c.minResponses !== undefined) {
    // A quorum is per route: every redundancy set must be able to reach it.
    const n = c.supervisor?.length ?? 0
    if (n > 0 && c.minResponses > n)
      problems.push(`--min-responses ${c.minResponses} exceeds the number of supervisors (${n})`)
    for (const [chain, urls] of routed.routes)
      if (c.minResponses > urls.length)
        problems.push(
          `--min-responses ${c.minResponses} exceeds the number of supervisors of chain ${chain} (${urls.length}, --route)`,
        )
  }
  return problems
}

export function isRedisUrl(u: string): boolean {
  try {
    return ['redis:', 'rediss:'].includes(new URL(u).protocol)
  } catch {
    return false
  }
}
