import type { Logger } from 'pino'
import { computeBlockHash } from '../engine/blockHash.js'
import { DEPOSIT_TX_TYPE, type DecodedTx, decodeTx } from '../engine/decodeTx.js'
import { applyError, type ExecResult, executeTxs, TxApplyError, txGasUsed } from '../engine/execution.js'
import { extraDataError, extraDataFor, nextBaseFee } from '../engine/feeParams.js'
import { type Fork, forkAtLeast, getPayloadVersion, payloadVersion } from '../engine/fork.js'
import type { Mempool } from '../engine/mempool.js'
import { postExecViolation, withoutPostExec } from '../engine/postExec.js'
import { sealPayload } from '../engine/sealPayload.js'
import { EMPTY_TRIE_ROOT } from '../engine/trie.js'
import type {
  ExecutionPayloadV3,
  ForkchoiceStateV1,
  ForkchoiceUpdatedResult,
  GetPayloadV3Result,
  GetPayloadV4Result,
  Hex,
  OpExecutionPayloadV4,
  PayloadAttributesV3,
  PayloadStatusV1,
} from '../engine/types.js'
import { type BlockExecution, type BlockExecutor, type ExecTx, envOf, sealEvmPayload } from '../evm/index.js'
import { BoundedMap } from '../util/boundedMap.js'
import { quantityToBigInt, toQuantity } from '../util/hex.js'
import { type Chain, type SimBlock, toSimBlock, ZERO_HASH } from './chain.js'
import { invalidForkchoiceState, invalidPayloadAttributes, unknownPayload, unsupportedFork } from './errors.js'
import type { Faults } from './faults.js'
import { payloadId } from './payloadId.js'

export type EngineApiOptions = {
  chainId: number
  fork: Fork
  chain: Chain
  /** Sealed blocks take pooled transactions; a new canonical head drops what it included. */
  pool: Mempool
  /** Read on every newPayload: sim_setFaults replaces them at run time. */
  faults: () => Faults
  /** The signer of a signed transaction (cached), or undefined when the signature is bad. */
  sender: (tx: DecodedTx) => Promise<Hex | undefined>
  /** EVM execution (src/evm); undefined: the deterministic stand-in of src/engine/execution.ts. */
  executor?: BlockExecutor
  logger: Logger
}

type Job = {
  id: Hex
  parent: SimBlock
  attrs: PayloadAttributesV3
  forced: DecodedTx[]
  gasLimit: bigint
  sealed?: Sealed
}

type PoolCandidate = { tx: DecodedTx; from: Hex }

type Sealed = { payload: ExecutionPayloadV3; blockValue: bigint; execution?: BlockExecution }

const MAX_JOBS = 64
/**
 * EVM execution keeps the state of the blocks within this many of the head (any branch), as geth
 * keeps 128 in memory: a reorg or a build on a parent up to 256 blocks back works; older states
 * are pruned every PRUNE_EVERY blocks of head progress.
 */
export const KEPT_STATES = 256n
const PRUNE_EVERY = 64n
const ZERO_ADDRESS: Hex = `0x${'00'.repeat(20)}`
const MAX_SLOTS = 256

/**
 * engine-sim's Engine API: forkchoiceUpdated moves the head and starts payload jobs, getPayload
 * seals a block from forced + pooled transactions, newPayload validates a block fully under the
 * rules in src/engine/execution.ts in place of the EVM. Not serialized here: EngineSim.serial is.
 */
export class EngineApi {
  readonly chainId: number
  readonly fork: Fork
  readonly chain: Chain
  readonly pool: Mempool
  readonly #o: EngineApiOptions
  readonly #log: Logger
  readonly #jobs = new BoundedMap<string, Job>(MAX_JOBS)
  /** Attributes seen per (parent, timestamp): a newPayload for that slot must start with their forced txs. */
  readonly #slots = new BoundedMap<string, PayloadAttributesV3>(MAX_SLOTS)
  /**
   * Blocks this engine sealed, by hash: their newPayload needs no re-execution (the hash commits to
   * the header and transactions this engine produced), as a block's own receipts are kept.
   */
  readonly #own = new BoundedMap<string, BlockExecution>(MAX_JOBS)
  #newPayloads = 0
  /**
   * The last sim_buildBlock: its slot (parent and attributes), the transactions it was given in
   * order, and its execution. A builder rebuilds every `--resubmit-interval` (a quarter slot in the
   * topology) from its whole pool, which mostly grows at the end (fee order, ties by arrival): when
   * the new list starts with the last one, only the transactions after it are executed.
   */
  #lastBuild: { slot: Hex; inputs: Hex[]; execution: BlockExecution } | undefined
  /** sim_buildBlock calls built from scratch or resumed, and the transactions they executed. */
  readonly buildStats = { fresh: 0, resumed: 0, executed: 0 }

  constructor(o: EngineApiOptions) {
    this.#o = o
    this.chainId = o.chainId
    this.fork = o.fork
    this.chain = o.chain
    this.pool = o.pool
    this.#log = o.logger
  }

  // ---- engine_forkchoiceUpdatedV3 ------------------------------------------------------------

  forkchoiceUpdated(state: ForkchoiceStateV1, attrs: PayloadAttributesV3 | null): ForkchoiceUpdatedResult {
    if (state.headBlockHash === ZERO_HASH)
      return { payloadStatus: { status: 'INVALID', latestValidHash: null, validationError: null }, payloadId: null }
    const head = this.chain.get(state.headBlockHash)
    if (!head) {
      const bad = this.chain.invalid(state.headBlockHash)
      if (bad)
        return {
          payloadStatus: {
            status: 'INVALID',
            latestValidHash: bad.latestValidHash,
            validationError: `links to previously rejected block: ${bad.reason}`,
          },
          payloadId: null,
        }
      return { payloadStatus: { status: 'SYNCING', latestValidHash: null, validationError: null }, payloadId: null }
    }
    // As geth: the head moves first, then safe/finalized must be on the new canonical chain.
    if (head.hash !== this.chain.head.hash) {
      const { added } = this.chain.setHead(head)
      for (const b of added) this.pool.included(b.txHashes)
      this.#log.debug({ number: Number(head.number), hash: head.hash }, 'new head')
      this.#prune(head)
    }
    const safe = this.#canonicalOrZero(state.safeBlockHash, 'safe')
    const finalized = this.#canonicalOrZero(state.finalizedBlockHash, 'finalized')
    if (safe) this.chain.safe = safe
    if (finalized) this.chain.finalized = finalized
    const valid: PayloadStatusV1 = { status: 'VALID', latestValidHash: head.hash, validationError: null }
    if (!attrs) return { payloadStatus: valid, payloadId: null }
    return { payloadStatus: valid, payloadId: this.#startJob(head, attrs) }
  }

  /** Every PRUNE_EVERY blocks: drops the state no block within KEPT_STATES of the head reaches. */
  #prune(head: SimBlock): void {
    const executor = this.#o.executor
    if (!executor || head.number === 0n || head.number % PRUNE_EVERY !== 0n) return
    const keep = this.chain.stateRootsFrom(head.number - KEPT_STATES)
    const t0 = performance.now()
    const dropped = executor.state.prune(keep)
    this.#log.debug(
      { head: Number(head.number), kept: keep.length, dropped, ms: Math.round(performance.now() - t0) },
      'pruned state',
    )
  }

  /** A safe/finalized hash must be zero (unset) or a block of the canonical chain. */
  #canonicalOrZero(hash: Hex, what: string): SimBlock | undefined {
    if (hash === ZERO_HASH) return undefined
    const b = this.chain.get(hash)
    if (!b) throw invalidForkchoiceState(`${what} block ${hash} not available`)
    if (!this.chain.isCanonical(b)) throw invalidForkchoiceState(`${what} block ${hash} not in canonical chain`)
    return b
  }

  #startJob(parent: SimBlock, attrs: PayloadAttributesV3): Hex {
    const { forced, gasLimit, timestamp } = this.#checkAttributes(parent, attrs)
    const id = payloadId(parent.hash, attrs)
    this.#slots.set(`${parent.hash}:${timestamp}`, attrs)
    this.#jobs.add(id, { id, parent, attrs, forced, gasLimit })
    return id
  }

  /**
   * sim_buildBlock: a block on `parentHash` from `attrs` and the caller's transactions in the
   * caller's order, executed and sealed as getPayload seals (those that cannot apply are left out).
   * The reference builder's execution: it chooses and orders, its paired engine-sim executes on the
   * parent's state. undefined when the parent is unknown; EVM execution only.
   */
  async buildBlock(
    parentHash: Hex,
    attrs: PayloadAttributesV3,
    raws: readonly Hex[],
  ): Promise<{ payload: ExecutionPayloadV3; blockValue: bigint; included: Hex[] } | undefined> {
    const executor = this.#o.executor
    if (!executor) throw new Error('sim_buildBlock needs --execution evm')
    const parent = this.chain.get(parentHash)
    if (!parent) return undefined
    const { forced, gasLimit } = this.#checkAttributes(parent, attrs)
    const candidates: PoolCandidate[] = []
    for (const raw of raws) {
      let tx: DecodedTx
      try {
        tx = decodeTx(raw)
      } catch {
        continue
      }
      if (tx.type === DEPOSIT_TX_TYPE) continue
      const from = await this.#o.sender(tx)
      if (from) candidates.push({ tx, from })
    }
    const job = { id: payloadId(parent.hash, { ...attrs, noTxPool: false }), parent, attrs, forced, gasLimit }
    const inputs = candidates.map((c) => c.tx.hash)
    const last = this.#lastBuild
    const resume =
      last &&
      last.slot === job.id &&
      last.inputs.length <= inputs.length &&
      last.inputs.every((h, i) => h === inputs[i]) &&
      executor.state.has(last.execution.stateRoot)
        ? last
        : undefined
    const sealed = await this.#sealEvm(
      { ...job, attrs: { ...attrs, noTxPool: false } },
      executor,
      resume ? candidates.slice(resume.inputs.length) : candidates,
      resume?.execution,
    )
    this.#lastBuild = { slot: job.id, inputs, execution: sealed.execution! }
    if (resume) this.buildStats.resumed++
    else this.buildStats.fresh++
    this.buildStats.executed += inputs.length - (resume?.inputs.length ?? 0) + (resume ? 0 : forced.length)
    const forcedCount = forced.length
    return {
      payload: sealed.payload,
      blockValue: sealed.blockValue,
      included: sealed.execution!.txs.slice(forcedCount).map((t) => t.tx.hash),
    }
  }

  /** The attribute rules of forkchoiceUpdated (-38003 with the reason); the decoded forced transactions. */
  #checkAttributes(
    parent: SimBlock,
    attrs: PayloadAttributesV3,
  ): { forced: DecodedTx[]; gasLimit: bigint; timestamp: bigint } {
    const timestamp = quantityToBigInt(attrs.timestamp)
    if (timestamp <= parent.timestamp)
      throw invalidPayloadAttributes(`timestamp ${timestamp} not after parent timestamp ${parent.timestamp}`)
    if (attrs.gasLimit === undefined || attrs.gasLimit === null)
      throw invalidPayloadAttributes('gasLimit parameter is required')
    const holocene = forkAtLeast(this.fork, 'holocene')
    const jovian = forkAtLeast(this.fork, 'jovian')
    if (holocene !== (attrs.eip1559Params !== undefined && attrs.eip1559Params !== null))
      throw invalidPayloadAttributes(
        holocene ? 'eip1559Params required from Holocene' : 'eip1559Params must be null before Holocene',
      )
    if (jovian !== (attrs.minBaseFee !== undefined && attrs.minBaseFee !== null))
      throw invalidPayloadAttributes(
        jovian ? 'minBaseFee required from Jovian' : 'minBaseFee must be null before Jovian',
      )
    if (attrs.withdrawals.length > 0) throw invalidPayloadAttributes('withdrawals must be empty on OP')
    try {
      extraDataFor(
        this.fork,
        attrs.eip1559Params,
        attrs.minBaseFee === undefined || attrs.minBaseFee === null ? null : quantityToBigInt(attrs.minBaseFee),
      )
    } catch (err) {
      throw invalidPayloadAttributes((err as Error).message)
    }
    const gasLimit = quantityToBigInt(attrs.gasLimit)
    const forced: DecodedTx[] = []
    for (const [i, raw] of (attrs.transactions ?? []).entries()) {
      try {
        forced.push(decodeTx(raw))
      } catch (err) {
        throw invalidPayloadAttributes(`forced transaction ${i}: ${(err as Error).message}`)
      }
    }
    const baseFee = nextBaseFee(this.fork, { ...parent, extraData: parent.payload.extraData })
    let used = 0n
    for (const [i, tx] of forced.entries()) {
      const refused = applyError(tx, gasLimit - used, baseFee)
      if (refused) throw invalidPayloadAttributes(`forced transaction ${i}: ${refused}`)
      used += txGasUsed(tx)
    }
    return { forced, gasLimit, timestamp }
  }

  // ---- engine_getPayloadV3 / V4 ---------------------------------------------------------------

  async getPayload(id: Hex, version: 3 | 4 | 5): Promise<GetPayloadV3Result | GetPayloadV4Result> {
    const job = this.#jobs.get(id.toLowerCase())
    if (!job) throw unknownPayload()
    if (version !== getPayloadVersion(this.fork))
      throw unsupportedFork(`engine_getPayloadV${version} is not used for ${this.fork} payloads`)
    job.sealed ??= this.#o.executor ? await this.#sealEvm(job, this.#o.executor) : this.#seal(job)
    const { payload, blockValue } = job.sealed
    const base = {
      blockValue: toQuantity(blockValue),
      blobsBundle: { commitments: [], proofs: [], blobs: [] },
      shouldOverrideBuilder: false,
      parentBeaconBlockRoot: job.attrs.parentBeaconBlockRoot,
    }
    // V5 (Karst) answers the V4 envelope.
    if (version !== 3) return { executionPayload: payload as OpExecutionPayloadV4, ...base, executionRequests: [] }
    return { executionPayload: payload, ...base }
  }

  /**
   * EVM execution: forced transactions first (all must apply), then pooled ones in geth's
   * price-and-nonce order, each left out when it cannot apply (nonce, balance, gas left), as
   * geth's miner does.
   */
  async #sealEvm(job: Job, executor: BlockExecutor, given?: PoolCandidate[], resume?: BlockExecution): Promise<Sealed> {
    const { parent, attrs } = job
    const baseFee = nextBaseFee(this.fork, { ...parent, extraData: parent.payload.extraData })
    const forced: ExecTx[] = []
    for (const tx of job.forced) forced.push({ tx, from: tx.depositFrom ?? (await this.#o.sender(tx)) ?? ZERO_ADDRESS })
    const skip = new Set(job.forced.map((t) => t.hash))
    const candidates: ExecTx[] =
      given ??
      (attrs.noTxPool ? [] : this.pool.select(baseFee, job.gasLimit, skip)).map((tx) => ({ tx, from: tx.from }))
    const { payload, execution } = await sealEvmPayload(executor, {
      fork: this.fork,
      version: payloadVersion(this.fork),
      parent: { hash: parent.hash, number: parent.number, stateRoot: parent.payload.stateRoot },
      attrs,
      gasLimit: job.gasLimit,
      baseFee,
      forced,
      candidates,
      hashes: (n) => this.chain.ancestorHash(parent, n),
      ...(resume ? { resume } : {}),
    })
    this.#own.set(payload.blockHash.toLowerCase(), execution)
    this.#log.debug(
      {
        id: job.id,
        number: Number(parent.number + 1n),
        txs: execution.txs.length,
        skipped: execution.skipped.length,
        forced: job.forced.length,
        resumedAfter: resume ? resume.txs.length + resume.skipped.length : undefined,
        hash: payload.blockHash,
      },
      'sealed payload',
    )
    return { payload, blockValue: execution.blockValue, execution }
  }

  /** Forced transactions first, then pooled ones by fee (unless noTxPool), under the gas limit. */
  #seal(job: Job): { payload: ExecutionPayloadV3; blockValue: bigint } {
    const { parent, attrs } = job
    const baseFee = nextBaseFee(this.fork, { ...parent, extraData: parent.payload.extraData })
    let forcedGas = 0n
    for (const tx of job.forced) forcedGas += txGasUsed(tx)
    const skip = new Set(job.forced.map((t) => t.hash))
    const pooled = attrs.noTxPool ? [] : this.pool.select(baseFee, job.gasLimit - forcedGas, skip)
    const txs: DecodedTx[] = [...job.forced, ...pooled]
    const { payload, blockValue } = sealPayload({
      fork: this.fork,
      version: payloadVersion(this.fork),
      parent: { hash: parent.hash, number: parent.number, stateRoot: parent.payload.stateRoot },
      attrs,
      gasLimit: job.gasLimit,
      baseFee,
      txs,
    })
    this.#log.debug(
      {
        id: job.id,
        number: Number(parent.number + 1n),
        txs: txs.length,
        forced: job.forced.length,
        hash: payload.blockHash,
      },
      'sealed payload',
    )
    return { payload, blockValue }
  }

  // ---- engine_newPayloadV3 / V4 ---------------------------------------------------------------

  async newPayload(
    version: 3 | 4,
    payload: ExecutionPayloadV3,
    blobHashes: Hex[],
    beaconRoot: Hex,
    requests?: Hex[],
  ): Promise<PayloadStatusV1> {
    if (version !== payloadVersion(this.fork))
      throw unsupportedFork(`engine_newPayloadV${version} is not used for ${this.fork} payloads`)
    const invalid = (reason: string, latestValidHash: Hex | null): PayloadStatusV1 => ({
      status: 'INVALID',
      latestValidHash,
      validationError: reason,
    })
    if (blobHashes.length > 0) return invalid('invalid blob hashes: expected none on OP', null)
    if (version === 4 && requests!.length > 0) return invalid('non-empty executionRequests on OP', null)
    if ((version === 4) !== (payload.withdrawalsRoot !== undefined))
      return invalid(
        version === 4 ? 'missing withdrawalsRoot (Isthmus)' : 'unexpected withdrawalsRoot before Isthmus',
        null,
      )
    const want = computeBlockHash(payload, beaconRoot, version === 4 ? [] : undefined)
    if (want !== payload.blockHash.toLowerCase())
      return invalid(`blockhash mismatch, want ${want}, got ${payload.blockHash}`, null)

    const hash = want
    if (this.chain.get(hash)) return { status: 'VALID', latestValidHash: hash, validationError: null }
    const badParent = this.chain.invalid(payload.parentHash)
    if (badParent) {
      this.chain.markInvalid(hash, badParent)
      return invalid(`links to previously rejected block: ${badParent.reason}`, badParent.latestValidHash)
    }
    const parent = this.chain.get(payload.parentHash)
    if (!parent) return { status: 'SYNCING', latestValidHash: null, validationError: null }

    this.#newPayloads++
    const f = this.#o.faults()
    if (
      (f.invalidEvery > 0 && this.#newPayloads % f.invalidEvery === 0) ||
      (f.failRate > 0 && Math.random() < f.failRate)
    ) {
      return invalid('injected fault: INVALID', parent.hash)
    }

    const checked = await this.#validate(payload, parent, beaconRoot)
    const reason = typeof checked === 'string' ? checked : undefined
    if (reason) {
      this.chain.markInvalid(hash, { latestValidHash: parent.hash, reason })
      this.#log.info({ hash, number: payload.blockNumber, reason }, 'newPayload INVALID')
      return invalid(reason, parent.hash)
    }
    if (f.forceStatus && f.forceStatus !== 'ACCEPTED') {
      return {
        status: f.forceStatus,
        latestValidHash: f.forceStatus === 'INVALID' ? parent.hash : null,
        validationError:
          f.forceStatus === 'INVALID' || f.forceStatus === 'INVALID_BLOCK_HASH' ? 'injected fault' : null,
      }
    }
    const receipts = typeof checked === 'object' ? checked.receipts : undefined
    this.chain.add(toSimBlock(payload, beaconRoot, version === 4 ? [] : undefined, receipts))
    if (f.forceStatus === 'ACCEPTED') return { status: 'ACCEPTED', latestValidHash: null, validationError: null }
    return { status: 'VALID', latestValidHash: hash, validationError: null }
  }

  /**
   * Header rules, the forced prefix, transaction validity and execution (the EVM, or the simulated
   * rules under `--execution sim`); the first failure, else the EVM's execution (undefined under sim).
   */
  async #validate(
    p: ExecutionPayloadV3,
    parent: SimBlock,
    beaconRoot: Hex,
  ): Promise<string | BlockExecution | undefined> {
    const number = quantityToBigInt(p.blockNumber)
    const timestamp = quantityToBigInt(p.timestamp)
    const gasLimit = quantityToBigInt(p.gasLimit)
    const gasUsed = quantityToBigInt(p.gasUsed)
    if (number !== parent.number + 1n) return `invalid block number: have ${number}, want ${parent.number + 1n}`
    if (timestamp <= parent.timestamp) return `invalid timestamp: ${timestamp} not after parent ${parent.timestamp}`
    if (gasUsed > gasLimit) return `invalid gasUsed: have ${gasUsed}, gasLimit ${gasLimit}`
    const extra = extraDataError(this.fork, p.extraData)
    if (extra) return extra
    const baseFee = nextBaseFee(this.fork, { ...parent, extraData: parent.payload.extraData })
    if (quantityToBigInt(p.baseFeePerGas) !== baseFee)
      return `invalid baseFee: have ${quantityToBigInt(p.baseFeePerGas)}, want ${baseFee}, parentBaseFee ${parent.baseFee}, parentGasUsed ${parent.gasUsed}`
    if (p.withdrawals.length > 0) return 'withdrawals must be empty on OP'
    const executor = this.#o.executor
    if (!executor && p.withdrawalsRoot !== undefined && p.withdrawalsRoot.toLowerCase() !== EMPTY_TRIE_ROOT)
      return `invalid withdrawalsRoot: have ${p.withdrawalsRoot}, want ${EMPTY_TRIE_ROOT} (no L2ToL1MessagePasser storage in the sim)`
    if (p.blobGasUsed !== '0x0' || p.excessBlobGas !== '0x0') return 'blobGasUsed and excessBlobGas must be 0'

    const slot = this.#slots.get(`${parent.hash}:${timestamp}`)
    if (slot) {
      const forced = (slot.transactions ?? []).map((t) => t.toLowerCase())
      const prefix = p.transactions.slice(0, forced.length).map((t) => t.toLowerCase())
      const missing = forced.findIndex((t, i) => prefix[i] !== t)
      if (missing !== -1) return `missing forced transaction ${missing} of the payload attributes`
      if (slot.noTxPool && p.transactions.length !== forced.length)
        return 'noTxPool: payload has transactions beyond the forced ones'
    }

    const postExec = postExecViolation(p.transactions, forkAtLeast(this.fork, 'lagoon'))
    if (postExec) return postExec
    const txs: DecodedTx[] = []
    const senders: Hex[] = []
    let sawUser = false
    for (const [i, raw] of withoutPostExec(p.transactions).entries()) {
      let tx: DecodedTx
      try {
        tx = decodeTx(raw)
      } catch (err) {
        return `invalid transaction ${i}: ${(err as Error).message}`
      }
      if (tx.type === DEPOSIT_TX_TYPE) {
        if (sawUser) return `invalid transaction ${i}: deposit after a non-deposit transaction`
      } else {
        sawUser = true
        if (tx.type === 3) return `invalid transaction ${i}: blob transactions are not supported on OP`
        if (tx.type === 4 && !forkAtLeast(this.fork, 'isthmus'))
          return `invalid transaction ${i}: set-code transactions need Isthmus`
        if (tx.chainId !== undefined && tx.chainId !== this.chainId)
          return `invalid transaction ${i}: invalid chain id ${tx.chainId}, want ${this.chainId}`
        const from = await this.#o.sender(tx)
        if (!from) return `invalid transaction ${i}: invalid signature`
        senders.push(from)
      }
      if (tx.type === DEPOSIT_TX_TYPE) senders.push(tx.depositFrom!)
      txs.push(tx)
    }
    if (executor)
      return this.#validateEvm(p, parent, executor, txs, senders, { beaconRoot, baseFee, gasLimit, gasUsed })
    let exec: ExecResult
    try {
      exec = executeTxs(
        {
          parentStateRoot: parent.payload.stateRoot,
          feeRecipient: p.feeRecipient,
          parentBeaconBlockRoot: beaconRoot,
          timestamp,
          baseFee,
          gasLimit,
        },
        txs,
      )
    } catch (err) {
      if (err instanceof TxApplyError) return err.message
      throw err
    }
    if (exec.gasUsed !== gasUsed) return `invalid gas used (remote: ${gasUsed} local: ${exec.gasUsed})`
    if (exec.logsBloom !== p.logsBloom.toLowerCase()) return 'invalid bloom'
    if (exec.receiptsRoot !== p.receiptsRoot.toLowerCase())
      return `invalid receipt root hash (remote: ${p.receiptsRoot} local: ${exec.receiptsRoot})`
    if (exec.stateRoot !== p.stateRoot.toLowerCase())
      return `invalid merkle root (remote: ${p.stateRoot} local: ${exec.stateRoot})`
    return undefined
  }

  /** Re-executes the block with the EVM (or takes this engine's own sealing) and compares geth's fields in geth's order. */
  async #validateEvm(
    p: ExecutionPayloadV3,
    parent: SimBlock,
    executor: BlockExecutor,
    txs: DecodedTx[],
    senders: Hex[],
    h: { beaconRoot: Hex; baseFee: bigint; gasLimit: bigint; gasUsed: bigint },
  ): Promise<string | BlockExecution> {
    let exec = this.#own.get(p.blockHash.toLowerCase())
    if (!exec) {
      const env = envOf({
        parent: { hash: parent.hash, number: parent.number, stateRoot: parent.payload.stateRoot },
        attrs: {
          timestamp: p.timestamp,
          suggestedFeeRecipient: p.feeRecipient,
          prevRandao: p.prevRandao,
          parentBeaconBlockRoot: h.beaconRoot,
          withdrawals: [],
        },
        gasLimit: h.gasLimit,
        baseFee: h.baseFee,
      })
      try {
        exec = await executor.execute(
          env,
          txs.map((tx, i) => ({ tx, from: senders[i]! })),
          { mode: 'validate' },
          (n) => this.chain.ancestorHash(parent, n),
        )
      } catch (err) {
        if (err instanceof TxApplyError) return err.message
        throw err
      }
    }
    if (exec.gasUsed !== h.gasUsed) return `invalid gas used (remote: ${h.gasUsed} local: ${exec.gasUsed})`
    if (exec.logsBloom !== p.logsBloom.toLowerCase())
      return `invalid bloom (remote: ${p.logsBloom} local: ${exec.logsBloom})`
    if (exec.receiptsRoot !== p.receiptsRoot.toLowerCase())
      return `invalid receipt root hash (remote: ${p.receiptsRoot} local: ${exec.receiptsRoot})`
    if (exec.stateRoot !== p.stateRoot.toLowerCase())
      return `invalid merkle root (remote: ${p.stateRoot} local: ${exec.stateRoot})`
    if (p.withdrawalsRoot !== undefined && p.withdrawalsRoot.toLowerCase() !== exec.withdrawalsRoot)
      return `invalid withdrawalsRoot (remote: ${p.withdrawalsRoot} local: ${exec.withdrawalsRoot})`
    return exec
  }
}
