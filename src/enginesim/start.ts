import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { Fork } from '../engine/fork.js'
import type { Hex } from '../engine/types.js'
import { DEFAULT_GENESIS_TIME, type Genesis } from '../evm/index.js'
import {
  createRegistry,
  createRpcServer,
  DEFAULT_BODY_LIMIT,
  type ListenerLimits,
  rpcCallObserver,
} from '../rpc/index.js'
import { initKeccak } from '../util/keccak.js'
import { createLogger } from '../util/logger.js'
import { engineSimMethods } from './engineSimMethods.js'
import { type Faults, NO_FAULTS } from './faults.js'
import { EngineSimAuth, installPublicBodyLimit } from './jwtGate.js'
import { engineSimOptions as defaults } from './options.js'
import { EngineSim, type ExecutionKind } from './sim.js'
import type { TxPoolLimits } from './txpoolLimits.js'

export type EngineSimConfig = {
  /** HS256 secret (32 bytes) for engine_ and sim_ calls. */
  jwtSecret: Buffer
  host?: string
  /** 0 (default) picks a free port. */
  port?: number
  chainId?: number
  /** Unix seconds of block 0; default the genesis's (0 for the default genesis): equal flags, equal block 0. */
  genesisTime?: number
  /** Default `evm`. */
  execution?: ExecutionKind
  /** op-geth genesis (parsed: parseGenesisJson); its chain id wins over `chainId`. EVM execution only. */
  genesis?: Genesis
  gasLimit?: bigint | number
  fork?: Fork
  mempoolSize?: number
  /** geth's txpool limits (default GETH_TXPOOL_LIMITS: 1 wei, 16, 5120, 64, 1024). */
  txpool?: Partial<TxPoolLimits>
  faults?: Partial<Faults>
  logger?: Logger
  /** Listener timeouts and connection cap (default DEFAULT_LISTENER_LIMITS). */
  limits?: Partial<ListenerLimits>
  /** Largest answer (default 64 MiB: getPayload carries whole blocks). */
  maxResponseBytes?: number
}

export type EngineSimHandle = {
  url: string
  port: number
  /** The live double, for tests that look inside (chain, pool, faults). */
  sim: EngineSim
  genesisHash: Hex
  close(): Promise<void>
}

/** Largest body of a request with a valid token (newPayloads of many transactions); others get 128 KiB. */
export const AUTH_BODY_LIMIT = 32 * 1024 * 1024

/**
 * Starts an engine-sim on host:port (default 127.0.0.1, a free port): the Engine API (JWT-guarded,
 * HTTP 401 with geth's plain-text reason on a bad token) and the public eth_ methods on one port.
 */
export async function startEngineSim(cfg: EngineSimConfig): Promise<EngineSimHandle> {
  await initKeccak()
  const logger = cfg.logger ?? createLogger('silent')
  const genesis =
    cfg.genesis && cfg.genesisTime !== undefined ? { ...cfg.genesis, timestamp: BigInt(cfg.genesisTime) } : cfg.genesis
  const sim = await EngineSim.create({
    chainId: cfg.chainId ?? defaults.chainId.default,
    genesisTime: cfg.genesisTime ?? Number(cfg.genesis?.timestamp ?? DEFAULT_GENESIS_TIME),
    execution: cfg.execution ?? 'evm',
    ...(genesis ? { genesis } : {}),
    gasLimit: BigInt(cfg.gasLimit ?? defaults.gasLimit.default),
    fork: cfg.fork ?? defaults.fork.default,
    mempoolSize: cfg.mempoolSize ?? defaults.mempoolSize.default,
    ...(cfg.txpool ? { txpool: cfg.txpool } : {}),
    faults: { ...NO_FAULTS, ...cfg.faults },
    logger,
  })
  const registry = createRegistry()
  const auth = new EngineSimAuth(cfg.jwtSecret)
  const app = createRpcServer({
    methods: engineSimMethods(sim),
    logger,
    registry,
    observe: rpcCallObserver(registry),
    // Payloads with many transactions exceed the public-RPC default; geth's auth RPC has no small
    // cap either. Only requests with a valid token get it (installPublicBodyLimit).
    bodyLimit: AUTH_BODY_LIMIT,
    authorize: auth.authorize,
    name: 'engine-sim',
    maxResponseBytes: cfg.maxResponseBytes ?? 64 * 1024 * 1024,
    ...(cfg.limits ? { limits: cfg.limits } : {}),
    health: () => ({ status: 200, body: { ok: true, head: Number(sim.chain.head.number) } }),
  })
  installPublicBodyLimit(app, auth, DEFAULT_BODY_LIMIT)
  // A library caller gets any free port (the CLI's default is 8551).
  const host = cfg.host ?? defaults.host.default
  await app.listen({ host, port: cfg.port ?? 0 })
  const { port } = app.server.address() as AddressInfo
  logger.info(
    { port, chainId: sim.chainId, fork: sim.fork, execution: sim.execution, genesis: sim.chain.genesis.hash },
    'engine-sim listening',
  )
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    sim,
    genesisHash: sim.chain.genesis.hash,
    close: () => app.close(),
  }
}
