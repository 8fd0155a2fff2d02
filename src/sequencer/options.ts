import { listenerLimitOptions, responseLimitOptions } from '../config/common.js'
import { type ConfigOf, defineOptions, defineSpec, type InputOf, loadConfig } from '../config/index.js'
import { type Endpoint, parseEndpoint, parseListen } from '../rpc/endpoint.js'
import { readJwtSecret } from '../rpc/jwt.js'
import { LOG_LEVELS } from '../util/logger.js'
import { builderId } from './builderClient.js'

/** `superguard sequencer` options; `--block-time` switches from proxy mode to standalone mode. */
export const sequencerOptions = defineOptions({
  engine: { type: 'string', required: true, arg: 'URL[,jwt=FILE]', help: 'execution engine (Engine API, JWT)' },
  engineJwtSecret: { type: 'path', arg: 'FILE', help: "the engine's JWT secret (same as jwt=FILE in --engine)" },
  jwtSecret: {
    type: 'path',
    arg: 'FILE',
    help: 'proxy mode: JWT secret op-node uses toward --listen-engine; required in proxy mode',
  },
  listenEngine: {
    type: 'string',
    default: '127.0.0.1:8551',
    arg: 'HOST:PORT',
    help: 'proxy mode: Engine API listener op-node points at',
  },
  listenBuilder: {
    type: 'string',
    default: '127.0.0.1:8552',
    arg: 'HOST:PORT',
    help: 'builder listener (pbs_submitBlock, pbs_getJob)',
  },
  listenDebug: {
    type: 'string',
    default: '127.0.0.1:5555',
    arg: 'HOST:PORT',
    help: 'debug listener: debug_setExecutionMode / debug_getExecutionMode, /healthz, /metrics',
  },
  debugJwtSecret: {
    type: 'path',
    arg: 'FILE',
    help: 'JWT secret debug_setExecutionMode needs on --listen-debug; unset = the mode cannot be changed over RPC',
  },
  blockTime: { type: 'duration', help: 'standalone mode: our own block clock (e.g. 2s); unset = proxy mode' },
  replica: {
    type: 'strings',
    default: [],
    arg: 'URL[,jwt=FILE]',
    help: 'standalone: publish each block here (newPayload then forkchoiceUpdated)',
  },
  failureLogInterval: {
    type: 'duration',
    default: '10s',
    help: 'repeated failures (slots, replicas, proxied engine calls) log once per this interval, with a count',
  },
  replicaBacklog: {
    type: 'int',
    default: 128,
    min: 1,
    help: 'standalone: newest blocks kept to resend to a replica that fell behind',
  },
  conductor: {
    type: 'string',
    arg: 'URL',
    help: 'standalone: op-conductor; commit each block first, only the leader builds and publishes',
  },
  builder: {
    type: 'strings',
    default: [],
    arg: 'URL,jwt=FILE[,name=NAME]',
    help: 'PBS builder (builder_startBuilding / builder_deadline; signs pbs_submitBlock with the same secret)',
  },
  builderEngine: {
    type: 'strings',
    default: [],
    arg: 'URL,jwt=FILE[,name=NAME]',
    help: 'Engine-API builder (rollup-boost style): gets the forkchoice update, its payload is pulled before the deadline',
  },
  noticeMs: { type: 'int', default: 300, min: 0, help: 'builder_deadline is sent this long before the deadline' },
  sealLeadMs: {
    type: 'int',
    default: 50,
    min: 0,
    help: "expected seal = payload timestamp − this (op-node's sealing lead)",
  },
  validationBudgetMs: { type: 'int', default: 150, min: 0, help: 'builder deadline = expected seal − this' },
  minGasRatio: {
    type: 'number',
    default: 0,
    min: 0,
    help: "use the local block when a builder block's gasUsed < R × the local block's (0 = off)",
  },
  executionMode: {
    type: 'enum',
    choices: ['enabled', 'dry-run', 'dry_run', 'disabled'] as const,
    default: 'enabled',
    help: 'enabled | dry-run (validate, always use local) | disabled (no builder traffic)',
  },
  builderTimeoutMs: { type: 'int', default: 250, min: 1, help: 'timeout of each fire-and-forget call to a builder' },
  engineTimeoutMs: { type: 'int', default: 5000, min: 1, help: 'timeout of each call to the engine' },
  maxBlockTxs: { type: 'int', default: 5000, min: 1, help: 'most transactions in a builder block' },
  maxSubmissionBytes: {
    type: 'int',
    default: 8 * 1024 * 1024,
    min: 1024,
    help: 'largest pbs_submitBlock request body (HTTP 413 above), and largest uncompressed block in a submission (header and transactions; block_too_large above)',
  },
  maxSubmissionsPerJob: {
    type: 'int',
    default: 20,
    min: 1,
    help: 'submissions per builder per job (rate_limited above)',
  },
  builderRequestsPerSecond: {
    type: 'number',
    default: 50,
    min: 0,
    help: 'HTTP requests per second per builder on the builder listener (429 above; 0 = off)',
  },
  hashThreads: {
    type: 'int',
    default: 1,
    min: 0,
    help: 'worker threads that recompute the block hash of big submissions (0 = on the main thread)',
  },
  breakerThreshold: { type: 'int', default: 3, min: 1, help: 'invalid blocks in a row that open a builder circuit' },
  breakerCooldown: { type: 'duration', default: '30s', help: 'how long an open circuit ignores the builder' },
  supervisor: { type: 'string', arg: 'URL', help: 'interop supervisor; down → /healthz 503' },
  healthInterval: { type: 'duration', default: '1s', help: 'engine / supervisor probe interval' },
  maxUnsafeAge: { type: 'duration', default: '10s', help: 'engine head older than this → 503 (0 = off)' },
  feeRecipient: {
    type: 'string',
    default: '0x4200000000000000000000000000000000000011',
    arg: 'ADDRESS',
    help: 'standalone: suggestedFeeRecipient (SequencerFeeVault)',
  },
  gasLimit: { type: 'int', default: 30_000_000, min: 1, help: 'standalone: block gas limit' },
  eip1559Params: {
    type: 'string',
    arg: 'HEX8',
    help: "standalone: eip1559Params (default: the parent block's, from its extraData)",
  },
  minBaseFee: { type: 'int', min: 0, help: "standalone, Jovian: minBaseFee (default: the parent block's)" },
  logLevel: { type: 'enum', choices: LOG_LEVELS, default: 'info', help: 'log level' },
  // Every listener (builder, debug, engine); the engine listener's answers are capped at 128 MiB instead.
  ...listenerLimitOptions,
  ...responseLimitOptions,
})

export type SequencerConfig = ConfigOf<typeof sequencerOptions>
/** What startSequencer takes: `engine` and any other options (defaults apply), checked as flags are. */
export type SequencerInput = InputOf<typeof sequencerOptions>

export const sequencerSpec = defineSpec({
  role: 'sequencer',
  envPrefix: 'SUPERGUARD_SEQUENCER_',
  options: sequencerOptions,
  check: sequencerConfigProblems,
})

/** The sequencer's config from flags, env or a library caller's values (sequencerConfig({ engine, … })). */
export function sequencerConfig(
  values: SequencerInput | Partial<Record<keyof SequencerConfig, unknown>> = {},
): SequencerConfig {
  return loadConfig(sequencerSpec, { values: values as SequencerInput }).config
}

/**
 * Rules across options: endpoints parse and their secret files read (a bad file fails at start,
 * not at the first block), the mode has its secret, builders can be told apart, listeners parse.
 */
function sequencerConfigProblems(c: SequencerConfig): string[] {
  const p: string[] = []
  const attempt = <T>(fn: () => T, flag?: string): T | undefined => {
    try {
      return fn()
    } catch (err) {
      p.push(flag === undefined ? (err as Error).message : `${flag}: ${(err as Error).message}`)
      return undefined
    }
  }
  const secret = (flag: string, file: string | undefined) => {
    if (file !== undefined) attempt(() => readJwtSecret(file), flag)
  }
  if (c.engine !== undefined) attempt(() => parseEndpoint(c.engine, '--engine'))
  secret('--engine-jwt-secret', c.engineJwtSecret)
  if (c.blockTime === undefined && !c.jwtSecret) p.push('proxy mode needs --jwt-secret (the secret op-node signs with)')
  secret('--jwt-secret', c.jwtSecret)
  secret('--debug-jwt-secret', c.debugJwtSecret)
  const builders: Endpoint[] = []
  for (const b of c.builder) {
    const ep = attempt(() => parseEndpoint(b, '--builder'))
    if (ep && !ep.jwtSecret)
      p.push(`--builder ${ep.url}: jwt=FILE is required (it authenticates the builder's submissions)`)
    if (ep) builders.push(ep)
  }
  for (const b of c.builderEngine) {
    const ep = attempt(() => parseEndpoint(b, '--builder-engine'))
    if (ep) builders.push(ep)
  }
  const ids = new Set<string>()
  for (const ep of builders) {
    const id = builderId(ep)
    if (ids.has(id)) p.push(`two builders named ${id}: give one a name=NAME`)
    ids.add(id)
  }
  for (const r of c.replica) attempt(() => parseEndpoint(r, '--replica'))
  for (const [flag, spec] of [
    ['--listen-engine', c.listenEngine],
    ['--listen-builder', c.listenBuilder],
    ['--listen-debug', c.listenDebug],
  ] as const)
    attempt(() => parseListen(spec, flag))
  return p
}
