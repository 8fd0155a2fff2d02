import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import { InternalError, InvalidParamsError } from '../errors/index.js'
import { parseDataList, parseExecutionPayload, parseForkchoiceState, parsePayloadAttributes } from '../engine/validate.js'
import type { Hex } from '../engine/types.js'
import { createRegistry, createRpcServer, DEFAULT_BODY_LIMIT, rpcCallObserver, type RpcMethod } from '../rpc/index.js'
import { isHex, toQuantity } from '../util/hex.js'
import { initKeccak } from '../util/keccak.js'
import { createLogger } from '../util/logger.js'
import { NO_FAULTS, patchFaults, type Faults } from './faults.js'
import type { Fork } from '../engine/fork.js'
import { EngineSimAuth, installPublicBodyLimit } from './jwtGate.js'
import { engineSimOptions as defaults } from './options.js'
import { EngineSim } from './sim.js'

export type EngineSimConfig = {
  /** HS256 secret (32 bytes) for engine_ and sim_ calls. */
  jwtSecret: Buffer
  host?: string
  /** 0 (default) picks a free port. */
  port?: number
  chainId?: number
  /** Unix seconds of block 0; default now. */
  genesisTime?: number
  gasLimit?: bigint | number
  fork?: Fork
  mempoolSize?: number
  faults?: Partial<Faults>
  logger?: Logger
}

export type EngineSimHandle = {
  url: string
  port: number
  /** The live double, for tests that look inside (chain, pool, faults). */
  sim: EngineSim
  genesisHash: Hex
  close(): Promise<void>
}

export const CAPABILITIES = [
  'engine_exchangeCapabilities', 'engine_forkchoiceUpdatedV3', 'engine_getPayloadV3', 'engine_getPayloadV4',
  'engine_newPayloadV3', 'engine_newPayloadV4', 'engine_getClientVersionV1',
] as const

const VERSION = '0.1.0'

/** Largest body of a request with a valid token (newPayloads of many transactions); others get 128 KiB. */
export const AUTH_BODY_LIMIT = 32 * 1024 * 1024

/**
 * Runs a shape check of src/engine/validate.ts: its TypeErrors name the bad field and become
 * -32602. Anything else thrown while looking at client input (a RangeError from a value nested
 * 60k deep) is still the client's mistake: -32602 with our words, never the engine's text.
 */
function param<T>(parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    if (err instanceof InvalidParamsError) throw err
    if (err instanceof TypeError) throw new InvalidParamsError(err.message)
    if (err instanceof RangeError) throw new InvalidParamsError('params nested too deep')
    throw err
  }
}

function payloadIdParam(v: unknown): Hex {
  if (!isHex(v, 8)) throw new InvalidParamsError('payloadId: expected 8 bytes of hex')
  return v
}

/** The engine-sim's JSON-RPC method table (engine_, eth_, txpool_, sim_), with fault injection applied. */
export function engineSimMethods(sim: EngineSim): Map<string, RpcMethod> {
  const m = new Map<string, RpcMethod>()
  const engine = (name: string, fn: (p: readonly unknown[]) => unknown) => m.set(name, async (p) => {
    if (sim.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, sim.faults.latencyMs))
    return sim.serial(() => fn(p))
  })

  engine('engine_exchangeCapabilities', () => [...CAPABILITIES])
  engine('engine_getClientVersionV1', () => [{ code: 'SG', name: 'superguard-engine-sim', version: VERSION, commit: '0x00000000' }])
  engine('engine_forkchoiceUpdatedV3', (p) => {
    const state = param(() => parseForkchoiceState(p[0]))
    const attrs = p[1] === undefined || p[1] === null ? null : param(() => parsePayloadAttributes(p[1]))
    return sim.forkchoiceUpdated(state, attrs)
  })
  for (const v of [3, 4] as const) {
    engine(`engine_getPayloadV${v}`, (p) => sim.getPayload(payloadIdParam(p[0]), v))
    engine(`engine_newPayloadV${v}`, (p) => {
      const payload = param(() => parseExecutionPayload(p[0]))
      const blobHashes = param(() => parseDataList(p[1], 'expectedBlobVersionedHashes', 32))
      if (!isHex(p[2], 32)) throw new InvalidParamsError('parentBeaconBlockRoot: expected 32 bytes of hex')
      const requests = v === 4 ? param(() => parseDataList(p[3], 'executionRequests')) : undefined
      return sim.newPayload(v, payload, blobHashes, p[2], requests)
    })
  }

  m.set('eth_chainId', () => toQuantity(sim.chainId))
  m.set('net_version', () => String(sim.chainId))
  m.set('web3_clientVersion', () => `superguard-engine-sim/v${VERSION}`)
  m.set('eth_syncing', () => false)
  m.set('eth_blockNumber', () => toQuantity(sim.chain.head.number))
  m.set('eth_getBlockByNumber', (p) => {
    const b = param(() => sim.blockByTag(p[0]))
    return b ? sim.rpcBlock(b, p[1] === true) : null
  })
  m.set('eth_getBlockByHash', (p) => {
    if (!isHex(p[0], 32)) throw new InvalidParamsError('block hash: expected 32 bytes of hex')
    const b = sim.chain.get(p[0])
    return b ? sim.rpcBlock(b, p[1] === true) : null
  })
  m.set('eth_sendRawTransaction', (p) => {
    // geth: not hex bytes at all is the client's -32602; hex that does not decode is a rejection (-32000).
    if (!isHex(p[0])) throw new InvalidParamsError('transaction: expected hex data')
    return sim.sendRawTransaction(p[0])
  })
  m.set('eth_getTransactionByHash', (p) => {
    if (!isHex(p[0], 32)) throw new InvalidParamsError('transaction hash: expected 32 bytes of hex')
    return sim.transactionByHash(p[0])
  })
  m.set('eth_getTransactionReceipt', (p) => {
    if (!isHex(p[0], 32)) throw new InvalidParamsError('transaction hash: expected 32 bytes of hex')
    return sim.receiptByHash(p[0])
  })
  m.set('txpool_content', () => sim.pool.content((tx) => sim.poolTransaction(tx)))

  // Fault injection wraps everything but the controls, so a test can always switch it off.
  for (const [name, fn] of m) {
    m.set(name, (p, ctx) => {
      if (sim.faults.errorMethods.includes(name)) throw new InternalError({ details: 'injected fault' })
      return fn(p, ctx)
    })
  }
  m.set('sim_getFaults', () => sim.faults)
  m.set('sim_setFaults', (p) => (sim.faults = patchFaults(sim.faults, p[0])))
  return m
}

/**
 * Starts an engine-sim on host:port (default 127.0.0.1, a free port): the Engine API (JWT-guarded,
 * HTTP 401 with geth's plain-text reason on a bad token) and the public eth_ methods on one port.
 */
export async function startEngineSim(cfg: EngineSimConfig): Promise<EngineSimHandle> {
  await initKeccak()
  const logger = cfg.logger ?? createLogger('silent')
  const sim = new EngineSim({
    chainId: cfg.chainId ?? defaults.chainId.default,
    genesisTime: cfg.genesisTime ?? Math.floor(Date.now() / 1000),
    gasLimit: BigInt(cfg.gasLimit ?? defaults.gasLimit.default),
    fork: cfg.fork ?? defaults.fork.default,
    mempoolSize: cfg.mempoolSize ?? defaults.mempoolSize.default,
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
    health: () => ({ status: 200, body: { ok: true, head: Number(sim.chain.head.number) } }),
  })
  installPublicBodyLimit(app, auth, DEFAULT_BODY_LIMIT)
  // A library caller gets any free port (the CLI's default is 8551).
  const host = cfg.host ?? defaults.host.default
  await app.listen({ host, port: cfg.port ?? 0 })
  const { port } = app.server.address() as AddressInfo
  logger.info({ port, chainId: sim.chainId, fork: sim.fork, genesis: sim.chain.genesis.hash }, 'engine-sim listening')
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    sim,
    genesisHash: sim.chain.genesis.hash,
    close: () => app.close(),
  }
}
