import { readFileSync } from 'node:fs'
import { listenOptions } from '../config/common.js'
import { type ConfigOf, defineOptions, defineSpec } from '../config/index.js'
import { FORKS } from '../engine/fork.js'
import { parseGenesisJson } from '../evm/genesis.js'
import { readJwtSecret } from '../rpc/jwt.js'

/** `superguard engine-sim` options (flags > SUPERGUARD_ENGINE_SIM_* env > --config file > defaults). */
export const engineSimOptions = defineOptions({
  ...listenOptions,
  // getPayload answers whole blocks (bodies up to 32 MiB are taken).
  maxResponseBytes: { ...listenOptions.maxResponseBytes, default: 64 * 1024 * 1024 },
  port: { type: 'port', default: 8551, help: 'port serving the Engine API and the eth_ methods (0 = any free port)' },
  jwtSecret: {
    type: 'path',
    required: true,
    arg: 'FILE',
    help: 'file with the 32-byte hex JWT secret; engine_ and sim_ calls need a token signed with it',
  },
  chainId: { type: 'int', default: 901, min: 1, help: 'chain id (transactions for other chains are refused)' },
  genesisTime: {
    type: 'int',
    min: 0,
    arg: 'UNIX_SECONDS',
    help: "timestamp of block 0 (default: the --genesis file's, else 0); engine-sims with equal flags share genesis",
  },
  genesis: {
    type: 'path',
    arg: 'FILE',
    help: 'op-geth genesis JSON (config.chainId, timestamp, gasLimit, baseFeePerGas, extraData, alloc); default: dev accounts, CrossL2Inbox, emitter',
  },
  execution: {
    type: 'enum',
    choices: ['evm', 'sim'] as const,
    default: 'evm',
    help: 'evm: @ethereumjs/vm with real state; sim: the deterministic stand-in (no state, no logs)',
  },
  gasLimit: { type: 'int', default: 30_000_000, min: 21_000, help: 'gas limit of block 0' },
  fork: {
    type: 'enum',
    choices: FORKS,
    default: 'isthmus',
    help: 'OP fork rules: Engine API V3 (ecotone, holocene) or V4 (isthmus, jovian)',
  },
  mempoolSize: { type: 'int', default: 10_000, min: 1, help: 'most transactions the pool holds' },
  // geth's --txpool.* flags and defaults (core/txpool/legacypool DefaultConfig).
  txpoolPriceLimit: {
    type: 'int',
    default: 1,
    min: 0,
    arg: 'WEI',
    help: "least tip a transaction needs to enter the pool (geth's --txpool.pricelimit)",
  },
  txpoolAccountSlots: {
    type: 'int',
    default: 16,
    min: 1,
    help: 'pending transactions per account a full pending set never cuts below (EVM execution)',
  },
  txpoolGlobalSlots: {
    type: 'int',
    default: 5120,
    min: 1,
    help: 'pending transactions of all accounts (EVM execution)',
  },
  txpoolAccountQueue: {
    type: 'int',
    default: 64,
    min: 1,
    help: 'queued (nonce-gapped) transactions per account (EVM execution)',
  },
  txpoolGlobalQueue: {
    type: 'int',
    default: 1024,
    min: 1,
    help: 'queued transactions of all accounts (EVM execution)',
  },
  latency: { type: 'duration', default: '0ms', help: 'fault: delay before answering every engine_ call' },
  failRate: {
    type: 'number',
    default: 0,
    min: 0,
    max: 1,
    help: 'fault: probability that engine_newPayload answers INVALID',
  },
  invalidEvery: {
    type: 'int',
    default: 0,
    min: 0,
    arg: 'N',
    help: 'fault: every Nth engine_newPayload answers INVALID (0 = never)',
  },
  errorMethod: {
    type: 'strings',
    default: [],
    arg: 'METHOD',
    help: 'fault: this method answers -32603 internal error',
  },
})

export type EngineSimCliConfig = ConfigOf<typeof engineSimOptions>

export const engineSimSpec = defineSpec({
  role: 'engine-sim',
  envPrefix: 'SUPERGUARD_ENGINE_SIM_',
  options: engineSimOptions,
  check(c) {
    const problems: string[] = []
    if (c.jwtSecret !== undefined) {
      try {
        readJwtSecret(c.jwtSecret)
      } catch (err) {
        problems.push(`--jwt-secret: ${(err as Error).message}`)
      }
    }
    if (c.genesis !== undefined) {
      try {
        parseGenesisJson(JSON.parse(readFileSync(c.genesis, 'utf8')))
      } catch (err) {
        problems.push(`--genesis: ${(err as Error).message}`)
      }
      if (c.execution === 'sim') problems.push('--genesis needs --execution evm')
    }
    return problems
  },
})
