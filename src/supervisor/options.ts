import { listenOptions } from '../config/common.js'
import { type ConfigOf, defineOptions, defineSpec, type InputOf, type LoadInput, loadConfig } from '../config/index.js'
import { parseChainEndpoint } from '../logindex/parseChainEndpoint.js'
import { DEFAULT_BODY_LIMIT, DEFAULT_MAX_BATCH } from '../rpc/index.js'
import { readRollupConfig } from './rollupConfig.js'

/** `superguard supervisor` options: flags > SUPERGUARD_SUPERVISOR_* env > --config file > these defaults. */
export const supervisorOptions = defineOptions({
  ...listenOptions,
  port: { type: 'port', default: 9545, help: 'JSON-RPC port (0 = any free port)' },
  rpc: {
    type: 'strings',
    default: [],
    arg: '[CHAINID=]URL',
    help: 'RPC endpoint of a chain in the dependency set, one per chain; CHAINID= pins the id (checked against eth_chainId); required (not with --check-db)',
  },
  backend: {
    type: 'enum',
    choices: ['index', 'rpc'],
    default: 'index',
    help: 'index: SQLite log index; rpc: no index, each check reads the source chain over RPC (light mode)',
  },
  db: {
    type: 'path',
    default: './data/supervisor.db',
    arg: 'PATH',
    help: 'log index database (index backend); its directory is created',
  },
  checkDb: {
    type: 'bool',
    default: false,
    help: 'run a full PRAGMA integrity_check of --db, print its result and exit (0 sound, 2 corrupt or unreadable); --rpc is not needed',
  },
  rebuildCorruptDb: {
    type: 'bool',
    default: false,
    help: 'when --db fails the start-up quick_check, move it aside as <db>.corrupt-<time> and index afresh from the chains (else refuse to start, exit 2)',
  },
  startupCheck: {
    type: 'enum',
    choices: ['auto', 'inline', 'background'],
    default: 'auto',
    help: 'when the start-up quick_check of --db runs: inline (before serving; a corrupt file is refused), background (on a worker while serving; damage turns /healthz 503), auto = inline up to 1 GiB, background above (~1.5 s per GiB)',
  },
  backfill: {
    type: 'duration',
    default: '7d',
    help: 'how far back to index on an empty database (capped at the 7-day message expiry and at genesis)',
  },
  poll: {
    type: 'duration',
    default: '1s',
    min: 10,
    help: 'how often each chain head is polled; the rpc backend caches blocks for at most this long',
  },
  adminJwtSecret: {
    type: 'path',
    arg: 'FILE',
    help: '32-byte hex JWT secret that admin_setFailsafeEnabled requires (and every admin_* method on --admin-port); without it setting failsafe is disabled',
  },
  adminPort: {
    type: 'port',
    help: "admin listener (on --host) serving admin_* with the JWT of --admin-jwt-secret, as op-interop-filter's --admin.rpc.port; admin_setFailsafeEnabled then leaves the public port. Requires --admin-jwt-secret",
  },
  dangerouslyEnablePassthrough: {
    type: 'bool',
    default: false,
    help: 'every check answers valid (null) without looking, as op-interop-filter: a warning at start and every minute, superguard_supervisor_passthrough_enabled, /healthz and admin_getPassthroughEnabled show it',
  },
  allowMissingChainId: {
    type: 'bool',
    default: false,
    help: "accept executing descriptors without chainID (op-interop-filter's legacy check-access-list format) and skip the executing-chain check",
  },
  allowSameTimestamp: {
    type: 'bool',
    default: false,
    help: "accept messages executed at their initiating timestamp (the consensus rule: the log must exist); default refuses them with -320600, as op-interop-filter's admission rule",
  },
  rollupConfig: {
    type: 'strings',
    default: [],
    arg: 'FILE',
    help: 'op-node rollup config JSON of a chain (repeatable): chain id, genesis, block time and interop activation (lagoon_time, or interop_time): initiating messages at or before the activation block are refused (-320600) and a fresh index starts there',
  },
  failsafe: { type: 'bool', default: false, help: 'start with failsafe on (every check answers -320602)' },
  maxBatch: { type: 'int', default: DEFAULT_MAX_BATCH, min: 1, help: 'largest JSON-RPC batch' },
  bodyLimit: { type: 'int', default: DEFAULT_BODY_LIMIT, min: 1024, arg: 'BYTES', help: 'largest request body' },
  cacheBlocks: { type: 'int', default: 4096, min: 1, help: 'rpc backend: blocks cached per chain' },
  rpcConcurrency: { type: 'int', default: 8, min: 1, help: 'rpc backend: upstream requests in flight per chain' },
})

export type SupervisorConfig = ConfigOf<typeof supervisorOptions>
/** What startSupervisor takes: any subset of the options (defaults apply), checked as flags are. */
export type SupervisorInput = InputOf<typeof supervisorOptions>

export const supervisorSpec = defineSpec({
  role: 'supervisor',
  envPrefix: 'SUPERGUARD_SUPERVISOR_',
  options: supervisorOptions,
  check(c) {
    // --check-db reads only --db; serving needs the chains.
    if (!c.checkDb && c.rpc?.length === 0)
      return ['--rpc is required (the RPC endpoint of every chain in the dependency set)']
    const problems: string[] = []
    // op-interop-filter refuses an admin listener without a secret (config.go: "admin.rpc.addr requires admin.jwt-secret for authentication").
    if (c.adminPort !== undefined && c.adminJwtSecret === undefined)
      problems.push('--admin-port requires --admin-jwt-secret for authentication')
    if (c.startupCheck === 'background' && c.rebuildCorruptDb)
      problems.push('--rebuild-corrupt-db needs the start-up check before serving: use --startup-check inline or auto')
    const seen = new Set<bigint>()
    for (const f of c.rollupConfig ?? []) {
      try {
        const rc = readRollupConfig(f)
        if (seen.has(rc.chainId)) problems.push(`--rollup-config ${f}: chain ${rc.chainId} is configured twice`)
        seen.add(rc.chainId)
      } catch (err) {
        problems.push((err as Error).message)
      }
    }
    for (const v of c.rpc ?? []) {
      try {
        parseChainEndpoint(v)
      } catch (err) {
        problems.push((err as Error).message)
      }
    }
    return problems
  },
})

/** The supervisor's config from argv/env (as the CLI does); devnet and tests build theirs the same way. */
export function supervisorConfig(input: LoadInput<typeof supervisorOptions> = {}): SupervisorConfig {
  return loadConfig(supervisorSpec, input).config
}
