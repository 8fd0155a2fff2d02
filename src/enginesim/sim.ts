import type { Logger } from 'pino'
import type { DecodedTx } from '../engine/decodeTx.js'
import type { Fork } from '../engine/fork.js'
import { Mempool, type PoolTx } from '../engine/mempool.js'
import type {
  ExecutionPayloadV3,
  ForkchoiceStateV1,
  ForkchoiceUpdatedResult,
  GetPayloadV3Result,
  GetPayloadV4Result,
  Hex,
  PayloadAttributesV3,
  PayloadStatusV1,
} from '../engine/types.js'
import { Chain, genesisBlock, type SimBlock } from './chain.js'
import { EngineApi } from './engineApi.js'
import { EthViews } from './ethViews.js'
import { type Faults, NO_FAULTS } from './faults.js'
import { TxIntake } from './txIntake.js'

export type EngineSimOptions = {
  chainId: number
  /** Unix seconds of block 0. */
  genesisTime: number
  gasLimit: bigint
  fork: Fork
  mempoolSize: number
  faults?: Faults
  logger: Logger
}

/**
 * The execution-engine double: an in-memory chain driven by the OP Engine API (engineApi.ts), a
 * mempool fed by eth_sendRawTransaction (txIntake.ts; the pool is src/engine/mempool.ts), and geth's
 * eth_ read views (ethViews.ts). Transport-free; engineSimMethods.ts is the JSON-RPC method table,
 * start.ts the server. Engine calls go through `serial`, one at a time, as in geth.
 */
export class EngineSim {
  readonly chainId: number
  readonly fork: Fork
  readonly chain: Chain
  readonly pool: Mempool
  /** Replaced at run time by sim_setFaults; the Engine API reads them on every newPayload. */
  faults: Faults
  readonly #engine: EngineApi
  readonly #txs: TxIntake
  readonly #views: EthViews
  #queue: Promise<unknown> = Promise.resolve()

  constructor(opts: EngineSimOptions) {
    this.chainId = opts.chainId
    this.fork = opts.fork
    this.faults = opts.faults ?? NO_FAULTS
    this.chain = new Chain(
      genesisBlock({ chainId: opts.chainId, genesisTime: opts.genesisTime, gasLimit: opts.gasLimit, fork: opts.fork }),
    )
    this.pool = new Mempool(opts.mempoolSize)
    const { chainId, fork, chain, pool } = this
    this.#txs = new TxIntake({ chainId, fork, chain, pool })
    const sender = (tx: DecodedTx) => this.#txs.sender(tx)
    this.#engine = new EngineApi({ chainId, fork, chain, pool, sender, faults: () => this.faults, logger: opts.logger })
    this.#views = new EthViews(chain, pool, sender)
  }

  /** Engine calls run one at a time, as in geth, so each sees the state the previous one left. */
  serial<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn)
    this.#queue = run.catch(() => undefined)
    return run
  }

  // ---- Engine API (engineApi.ts) ---------------------------------------------------------------

  forkchoiceUpdated(state: ForkchoiceStateV1, attrs: PayloadAttributesV3 | null): ForkchoiceUpdatedResult {
    return this.#engine.forkchoiceUpdated(state, attrs)
  }

  getPayload(id: Hex, version: 3 | 4 | 5): GetPayloadV3Result | GetPayloadV4Result {
    return this.#engine.getPayload(id, version)
  }

  newPayload(
    version: 3 | 4,
    payload: ExecutionPayloadV3,
    blobHashes: Hex[],
    beaconRoot: Hex,
    requests?: Hex[],
  ): Promise<PayloadStatusV1> {
    return this.#engine.newPayload(version, payload, blobHashes, beaconRoot, requests)
  }

  // ---- transactions (txIntake.ts) ------------------------------------------------------------

  sender(tx: DecodedTx): Promise<Hex | undefined> {
    return this.#txs.sender(tx)
  }

  sendRawTransaction(raw: unknown): Promise<Hex> {
    return this.#txs.sendRawTransaction(raw)
  }

  // ---- reads (ethViews.ts) ---------------------------------------------------------------------

  blockByTag(tag: unknown): SimBlock | undefined {
    return this.#views.blockByTag(tag)
  }

  rpcBlock(b: SimBlock, full: boolean): Promise<Record<string, unknown>> {
    return this.#views.rpcBlock(b, full)
  }

  poolTransaction(tx: PoolTx): Record<string, unknown> {
    return this.#views.poolTransaction(tx)
  }

  transactionByHash(hash: Hex): Promise<Record<string, unknown> | null> {
    return this.#views.transactionByHash(hash)
  }

  receiptByHash(hash: Hex): Promise<Record<string, unknown> | null> {
    return this.#views.receiptByHash(hash)
  }
}
