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
import { BlockExecutor, defaultGenesis, type Genesis } from '../evm/index.js'
import { Chain, genesisBlock, type SimBlock } from './chain.js'
import { EngineApi } from './engineApi.js'
import { EthViews, type LogFilter } from './ethViews.js'
import { type Faults, NO_FAULTS } from './faults.js'
import { StateViews } from './stateViews.js'
import { TxIntake } from './txIntake.js'
import type { TxPoolLimits } from './txpoolLimits.js'

/** `evm`: @ethereumjs/vm over real state (src/evm); `sim`: the deterministic stand-in (src/engine/execution.ts). */
export type ExecutionKind = 'evm' | 'sim'

export type EngineSimOptions = {
  chainId: number
  /** Unix seconds of block 0. */
  genesisTime: number
  gasLimit: bigint
  fork: Fork
  /** Default `evm`. */
  execution?: ExecutionKind
  /** EVM execution's genesis (alloc and header fields); default: defaultGenesis of the flags. */
  genesis?: Genesis
  mempoolSize: number
  /** geth's txpool limits (price limit, slots); default GETH_TXPOOL_LIMITS. */
  txpool?: Partial<TxPoolLimits>
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
  readonly execution: ExecutionKind
  /** Under EVM execution: the executor whose StateDb holds every kept block's state. */
  readonly executor: BlockExecutor | undefined
  /** The state reads (eth_getBalance, eth_call, eth_estimateGas, …; stateViews.ts). */
  readonly state: StateViews
  /** Replaced at run time by sim_setFaults; the Engine API reads them on every newPayload. */
  faults: Faults
  readonly #engine: EngineApi
  readonly #txs: TxIntake
  readonly #views: EthViews
  #queue: Promise<unknown> = Promise.resolve()

  /** The double with its genesis state written (EVM execution) or computed (sim). */
  static async create(opts: EngineSimOptions): Promise<EngineSim> {
    if ((opts.execution ?? 'evm') === 'sim') return new EngineSim(opts, undefined, undefined)
    const genesis =
      opts.genesis ??
      defaultGenesis({ chainId: opts.chainId, timestamp: BigInt(opts.genesisTime), gasLimit: opts.gasLimit })
    const executor = await BlockExecutor.create(genesis.chainId, opts.fork)
    const stateRoot = await executor.applyAlloc(genesis.alloc)
    return new EngineSim(opts, executor, { genesis, stateRoot })
  }

  private constructor(
    opts: EngineSimOptions,
    executor: BlockExecutor | undefined,
    evm: { genesis: Genesis; stateRoot: Hex } | undefined,
  ) {
    const g = evm?.genesis
    this.chainId = g?.chainId ?? opts.chainId
    this.fork = opts.fork
    this.execution = executor ? 'evm' : 'sim'
    this.executor = executor
    this.faults = opts.faults ?? NO_FAULTS
    this.chain = new Chain(
      genesisBlock({
        chainId: this.chainId,
        genesisTime: g ? Number(g.timestamp) : opts.genesisTime,
        gasLimit: g?.gasLimit ?? opts.gasLimit,
        fork: opts.fork,
        ...(g && evm
          ? {
              stateRoot: evm.stateRoot,
              baseFee: g.baseFee,
              mixHash: g.mixHash,
              coinbase: g.coinbase,
              ...(g.extraData !== undefined ? { extraData: g.extraData } : {}),
            }
          : {}),
      }),
    )
    this.pool = new Mempool(opts.mempoolSize)
    const { chainId, fork, chain, pool } = this
    this.#txs = new TxIntake({ chainId, fork, chain, pool, reader: executor?.reader(), txpool: opts.txpool })
    const sender = (tx: DecodedTx) => this.#txs.sender(tx)
    this.#engine = new EngineApi({
      chainId,
      fork,
      chain,
      pool,
      sender,
      faults: () => this.faults,
      logger: opts.logger,
      ...(executor ? { executor } : {}),
    })
    this.#views = new EthViews(chain, pool, sender)
    this.state = new StateViews(chain, pool, executor?.reader())
  }

  /** Engine calls run one at a time, as in geth, so each sees the state the previous one left. */
  serial<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn)
    this.#queue = run.catch(() => undefined)
    return run
  }

  // ---- Engine API (engineApi.ts) ---------------------------------------------------------------

  async forkchoiceUpdated(
    state: ForkchoiceStateV1,
    attrs: PayloadAttributesV3 | null,
  ): Promise<ForkchoiceUpdatedResult> {
    const before = this.chain.head
    const res = this.#engine.forkchoiceUpdated(state, attrs)
    if (this.chain.head !== before) await this.#txs.headChanged(this.#leftCanonical(before))
    return res
  }

  /**
   * debug_setHead as geth's: the canonical chain is cut back to block `number` (its blocks stay
   * known, so a later forkchoice or newPayload can bring them or a new branch back); safe and
   * finalized follow it down; the cut blocks' transactions return to the pool. Their logs and
   * receipts leave eth_getLogs / eth_getTransactionReceipt with the canonical index.
   */
  async setHead(number: bigint): Promise<void> {
    const target = this.chain.byNumber(number)
    if (!target) return
    const before = this.chain.head
    this.chain.setHead(target)
    if (this.chain.safe.number > number) this.chain.safe = target
    if (this.chain.finalized.number > number) this.chain.finalized = target
    await this.#txs.headChanged(this.#leftCanonical(before))
  }

  /** The blocks from `old` back to the canonical chain: those a head change removed (empty when it only advanced). */
  #leftCanonical(old: SimBlock): SimBlock[] {
    const out: SimBlock[] = []
    let b: SimBlock | undefined = old
    while (b && !this.chain.isCanonical(b)) {
      out.push(b)
      b = this.chain.get(b.payload.parentHash)
    }
    return out
  }

  getPayload(id: Hex, version: 3 | 4 | 5): Promise<GetPayloadV3Result | GetPayloadV4Result> {
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

  /** sim_buildBlock: the reference builder's block, executed on the parent's state (EVM only). */
  buildBlock(
    parentHash: Hex,
    attrs: PayloadAttributesV3,
    raws: readonly Hex[],
  ): Promise<{ payload: ExecutionPayloadV3; blockValue: bigint; included: Hex[] } | undefined> {
    return this.#engine.buildBlock(parentHash, attrs, raws)
  }

  /** sim_buildBlock calls built from scratch or resumed from the last one, and the transactions they executed. */
  get buildStats(): Readonly<{ fresh: number; resumed: number; executed: number }> {
    return this.#engine.buildStats
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

  blockReceipts(b: SimBlock): Record<string, unknown>[] | undefined {
    return this.#views.blockReceipts(b)
  }

  logsOf(b: SimBlock, filter: LogFilter): Record<string, unknown>[] {
    return this.#views.logsOf(b, filter)
  }

  receiptByHash(hash: Hex): Promise<Record<string, unknown> | null> {
    return this.#views.receiptByHash(hash)
  }
}
