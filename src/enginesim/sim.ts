import { createHash } from 'node:crypto'
import { recoverTransactionAddress } from 'viem'
import type { Logger } from 'pino'
import { computeBlockHash } from '../engine/blockHash.js'
import { payloadToBlockSummary } from '../engine/blockSummary.js'
import { EMPTY_TRIE_ROOT } from '../engine/trie.js'
import type {
  ExecutionPayloadV3, ForkchoiceStateV1, ForkchoiceUpdatedResult, GetPayloadV3Result, GetPayloadV4Result, Hex,
  OpExecutionPayloadV4, PayloadAttributesV3, PayloadStatusV1,
} from '../engine/types.js'
import { bytesToHex, quantityToBigInt, toQuantity } from '../util/hex.js'
import { Chain, genesisBlock, toSimBlock, ZERO_HASH, type SimBlock } from './chain.js'
import { decodeTx, DEPOSIT_TX_TYPE, type DecodedTx } from './decodeTx.js'
import { invalidForkchoiceState, invalidPayloadAttributes, TxRejectedError, unknownPayload, unsupportedFork } from './errors.js'
import { applyError, executeTxs, TxApplyError, txGasUsed } from './execution.js'
import { NO_FAULTS, type Faults } from './faults.js'
import { extraDataError, extraDataFor, nextBaseFee } from './feeParams.js'
import { forkAtLeast, payloadVersion, type Fork } from './fork.js'
import { Mempool, type PoolTx } from './mempool.js'
import { rpcTransaction } from './rpcTx.js'

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

type Job = {
  id: Hex
  parent: SimBlock
  attrs: PayloadAttributesV3
  forced: DecodedTx[]
  gasLimit: bigint
  sealed?: { payload: ExecutionPayloadV3; blockValue: bigint }
}

/** Bounded insertion-ordered map: the oldest entries go first. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key)
  map.set(key, value)
  while (map.size > max) map.delete(map.keys().next().value as K)
}

const MAX_JOBS = 64
/** A block number: a uint64 quantity (geth refuses longer ones with -32602 too). */
const BLOCK_NUMBER = /^0x(0|[1-9a-fA-F][0-9a-fA-F]{0,15})$/
const MAX_SLOTS = 256
const MAX_SENDERS = 200_000

/**
 * The execution-engine double: an in-memory chain driven by the OP Engine API, a mempool fed by
 * eth_sendRawTransaction, block building from forced + pooled transactions, and full validation
 * of engine_newPayload under the rules in execution.ts in place of the EVM. Transport-free; see
 * server.ts for the JSON-RPC front.
 */
export class EngineSim {
  readonly chainId: number
  readonly fork: Fork
  readonly chain: Chain
  readonly pool: Mempool
  faults: Faults
  readonly #log: Logger
  readonly #jobs = new Map<string, Job>()
  /** Attributes seen per (parent, timestamp): a newPayload for that slot must start with their forced txs. */
  readonly #slots = new Map<string, PayloadAttributesV3>()
  readonly #senders = new Map<string, Hex>()
  #newPayloads = 0
  #queue: Promise<unknown> = Promise.resolve()

  constructor(opts: EngineSimOptions) {
    this.chainId = opts.chainId
    this.fork = opts.fork
    this.faults = opts.faults ?? NO_FAULTS
    this.#log = opts.logger
    this.chain = new Chain(genesisBlock({ chainId: opts.chainId, genesisTime: opts.genesisTime, gasLimit: opts.gasLimit, fork: opts.fork }))
    this.pool = new Mempool(opts.mempoolSize)
  }

  /** Engine calls run one at a time, as in geth, so each sees the state the previous one left. */
  serial<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn)
    this.#queue = run.catch(() => undefined)
    return run
  }

  // ---- engine_forkchoiceUpdatedV3 ------------------------------------------------------------

  forkchoiceUpdated(state: ForkchoiceStateV1, attrs: PayloadAttributesV3 | null): ForkchoiceUpdatedResult {
    if (state.headBlockHash === ZERO_HASH) return { payloadStatus: { status: 'INVALID', latestValidHash: null, validationError: null }, payloadId: null }
    const head = this.chain.get(state.headBlockHash)
    if (!head) {
      const bad = this.chain.invalid(state.headBlockHash)
      if (bad) return { payloadStatus: { status: 'INVALID', latestValidHash: bad.latestValidHash, validationError: `links to previously rejected block: ${bad.reason}` }, payloadId: null }
      return { payloadStatus: { status: 'SYNCING', latestValidHash: null, validationError: null }, payloadId: null }
    }
    // As geth: the head moves first, then safe/finalized must be on the new canonical chain.
    if (head.hash !== this.chain.head.hash) {
      const { added } = this.chain.setHead(head)
      for (const b of added) this.pool.included(b.txHashes)
      this.#log.debug({ number: Number(head.number), hash: head.hash }, 'new head')
    }
    const safe = this.#canonicalOrZero(state.safeBlockHash, 'safe')
    const finalized = this.#canonicalOrZero(state.finalizedBlockHash, 'finalized')
    if (safe) this.chain.safe = safe
    if (finalized) this.chain.finalized = finalized
    const valid: PayloadStatusV1 = { status: 'VALID', latestValidHash: head.hash, validationError: null }
    if (!attrs) return { payloadStatus: valid, payloadId: null }
    return { payloadStatus: valid, payloadId: this.#startJob(head, attrs) }
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
    const timestamp = quantityToBigInt(attrs.timestamp)
    if (timestamp <= parent.timestamp) throw invalidPayloadAttributes(`timestamp ${timestamp} not after parent timestamp ${parent.timestamp}`)
    if (attrs.gasLimit === undefined || attrs.gasLimit === null) throw invalidPayloadAttributes('gasLimit parameter is required')
    const holocene = forkAtLeast(this.fork, 'holocene')
    const jovian = forkAtLeast(this.fork, 'jovian')
    if (holocene !== (attrs.eip1559Params !== undefined && attrs.eip1559Params !== null)) throw invalidPayloadAttributes(holocene ? 'eip1559Params required from Holocene' : 'eip1559Params must be null before Holocene')
    if (jovian !== (attrs.minBaseFee !== undefined && attrs.minBaseFee !== null)) throw invalidPayloadAttributes(jovian ? 'minBaseFee required from Jovian' : 'minBaseFee must be null before Jovian')
    if (attrs.withdrawals.length > 0) throw invalidPayloadAttributes('withdrawals must be empty on OP')
    try { extraDataFor(this.fork, attrs.eip1559Params, attrs.minBaseFee === undefined || attrs.minBaseFee === null ? null : quantityToBigInt(attrs.minBaseFee)) } catch (err) { throw invalidPayloadAttributes((err as Error).message) }
    const gasLimit = quantityToBigInt(attrs.gasLimit)
    const forced: DecodedTx[] = []
    for (const [i, raw] of (attrs.transactions ?? []).entries()) {
      try { forced.push(decodeTx(raw)) } catch (err) { throw invalidPayloadAttributes(`forced transaction ${i}: ${(err as Error).message}`) }
    }
    const baseFee = nextBaseFee(this.fork, { ...parent, extraData: parent.payload.extraData })
    let used = 0n
    for (const [i, tx] of forced.entries()) {
      const refused = applyError(tx, gasLimit - used, baseFee)
      if (refused) throw invalidPayloadAttributes(`forced transaction ${i}: ${refused}`)
      used += txGasUsed(tx)
    }
    const id = payloadId(parent.hash, attrs)
    remember(this.#slots, `${parent.hash}:${timestamp}`, attrs, MAX_SLOTS)
    if (!this.#jobs.has(id)) remember(this.#jobs, id, { id, parent, attrs, forced, gasLimit }, MAX_JOBS)
    return id
  }

  // ---- engine_getPayloadV3 / V4 ---------------------------------------------------------------

  getPayload(id: Hex, version: 3 | 4): GetPayloadV3Result | GetPayloadV4Result {
    const job = this.#jobs.get(id.toLowerCase())
    if (!job) throw unknownPayload()
    if (version !== payloadVersion(this.fork)) throw unsupportedFork(`engine_getPayloadV${version} is not used for ${this.fork} payloads`)
    job.sealed ??= this.#seal(job)
    const { payload, blockValue } = job.sealed
    const base = { blockValue: toQuantity(blockValue), blobsBundle: { commitments: [], proofs: [], blobs: [] }, shouldOverrideBuilder: false, parentBeaconBlockRoot: job.attrs.parentBeaconBlockRoot }
    if (version === 4) return { executionPayload: payload as OpExecutionPayloadV4, ...base, executionRequests: [] }
    return { executionPayload: payload, ...base }
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
    const env = { parentStateRoot: parent.payload.stateRoot, feeRecipient: attrs.suggestedFeeRecipient, parentBeaconBlockRoot: attrs.parentBeaconBlockRoot, timestamp: quantityToBigInt(attrs.timestamp), baseFee, gasLimit: job.gasLimit }
    const exec = executeTxs(env, txs)
    const payload: ExecutionPayloadV3 = {
      parentHash: parent.hash,
      feeRecipient: attrs.suggestedFeeRecipient,
      stateRoot: exec.stateRoot,
      receiptsRoot: exec.receiptsRoot,
      logsBloom: exec.logsBloom,
      prevRandao: attrs.prevRandao,
      blockNumber: toQuantity(parent.number + 1n),
      gasLimit: toQuantity(job.gasLimit),
      gasUsed: toQuantity(exec.gasUsed),
      timestamp: attrs.timestamp,
      extraData: extraDataFor(this.fork, attrs.eip1559Params, attrs.minBaseFee === undefined || attrs.minBaseFee === null ? null : quantityToBigInt(attrs.minBaseFee)),
      baseFeePerGas: toQuantity(baseFee),
      blockHash: ZERO_HASH,
      transactions: txs.map((t) => t.raw),
      withdrawals: [],
      blobGasUsed: '0x0',
      excessBlobGas: '0x0',
    }
    const v4 = payloadVersion(this.fork) === 4
    if (v4) payload.withdrawalsRoot = EMPTY_TRIE_ROOT
    payload.blockHash = computeBlockHash(payload, attrs.parentBeaconBlockRoot, v4 ? [] : undefined)
    this.#log.debug({ id: job.id, number: Number(parent.number + 1n), txs: txs.length, forced: job.forced.length, hash: payload.blockHash }, 'sealed payload')
    return { payload, blockValue: exec.blockValue }
  }

  // ---- engine_newPayloadV3 / V4 ---------------------------------------------------------------

  async newPayload(version: 3 | 4, payload: ExecutionPayloadV3, blobHashes: Hex[], beaconRoot: Hex, requests?: Hex[]): Promise<PayloadStatusV1> {
    if (version !== payloadVersion(this.fork)) throw unsupportedFork(`engine_newPayloadV${version} is not used for ${this.fork} payloads`)
    const invalid = (reason: string, latestValidHash: Hex | null): PayloadStatusV1 => ({ status: 'INVALID', latestValidHash, validationError: reason })
    if (blobHashes.length > 0) return invalid('invalid blob hashes: expected none on OP', null)
    if (version === 4 && requests!.length > 0) return invalid('non-empty executionRequests on OP', null)
    if ((version === 4) !== (payload.withdrawalsRoot !== undefined)) return invalid(version === 4 ? 'missing withdrawalsRoot (Isthmus)' : 'unexpected withdrawalsRoot before Isthmus', null)
    const want = computeBlockHash(payload, beaconRoot, version === 4 ? [] : undefined)
    if (want !== payload.blockHash.toLowerCase()) return invalid(`blockhash mismatch, want ${want}, got ${payload.blockHash}`, null)

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
    const f = this.faults
    if ((f.invalidEvery > 0 && this.#newPayloads % f.invalidEvery === 0) || (f.failRate > 0 && Math.random() < f.failRate)) {
      return invalid('injected fault: INVALID', parent.hash)
    }

    const reason = await this.#validate(payload, parent, beaconRoot)
    if (reason) {
      this.chain.markInvalid(hash, { latestValidHash: parent.hash, reason })
      this.#log.info({ hash, number: payload.blockNumber, reason }, 'newPayload INVALID')
      return invalid(reason, parent.hash)
    }
    if (f.forceStatus && f.forceStatus !== 'ACCEPTED') {
      return { status: f.forceStatus, latestValidHash: f.forceStatus === 'INVALID' ? parent.hash : null, validationError: f.forceStatus === 'INVALID' || f.forceStatus === 'INVALID_BLOCK_HASH' ? 'injected fault' : null }
    }
    this.chain.add(toSimBlock(payload, beaconRoot, version === 4 ? [] : undefined))
    if (f.forceStatus === 'ACCEPTED') return { status: 'ACCEPTED', latestValidHash: null, validationError: null }
    return { status: 'VALID', latestValidHash: hash, validationError: null }
  }

  /** Header rules, the forced prefix, transaction validity and the simulated execution; the first failure. */
  async #validate(p: ExecutionPayloadV3, parent: SimBlock, beaconRoot: Hex): Promise<string | undefined> {
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
    if (quantityToBigInt(p.baseFeePerGas) !== baseFee) return `invalid baseFee: have ${quantityToBigInt(p.baseFeePerGas)}, want ${baseFee}, parentBaseFee ${parent.baseFee}, parentGasUsed ${parent.gasUsed}`
    if (p.withdrawals.length > 0) return 'withdrawals must be empty on OP'
    if (p.withdrawalsRoot !== undefined && p.withdrawalsRoot.toLowerCase() !== EMPTY_TRIE_ROOT) return `invalid withdrawalsRoot: have ${p.withdrawalsRoot}, want ${EMPTY_TRIE_ROOT} (no L2ToL1MessagePasser storage in the sim)`
    if (p.blobGasUsed !== '0x0' || p.excessBlobGas !== '0x0') return 'blobGasUsed and excessBlobGas must be 0'

    const slot = this.#slots.get(`${parent.hash}:${timestamp}`)
    if (slot) {
      const forced = (slot.transactions ?? []).map((t) => t.toLowerCase())
      const prefix = p.transactions.slice(0, forced.length).map((t) => t.toLowerCase())
      const missing = forced.findIndex((t, i) => prefix[i] !== t)
      if (missing !== -1) return `missing forced transaction ${missing} of the payload attributes`
      if (slot.noTxPool && p.transactions.length !== forced.length) return 'noTxPool: payload has transactions beyond the forced ones'
    }

    const txs: DecodedTx[] = []
    let sawUser = false
    for (const [i, raw] of p.transactions.entries()) {
      let tx: DecodedTx
      try { tx = decodeTx(raw) } catch (err) { return `invalid transaction ${i}: ${(err as Error).message}` }
      if (tx.type === DEPOSIT_TX_TYPE) {
        if (sawUser) return `invalid transaction ${i}: deposit after a non-deposit transaction`
      } else {
        sawUser = true
        if (tx.type === 3) return `invalid transaction ${i}: blob transactions are not supported on OP`
        if (tx.type === 4 && !forkAtLeast(this.fork, 'isthmus')) return `invalid transaction ${i}: set-code transactions need Isthmus`
        if (tx.chainId !== undefined && tx.chainId !== this.chainId) return `invalid transaction ${i}: invalid chain id ${tx.chainId}, want ${this.chainId}`
        if (!(await this.sender(tx))) return `invalid transaction ${i}: invalid signature`
      }
      txs.push(tx)
    }
    let exec
    try {
      exec = executeTxs({ parentStateRoot: parent.payload.stateRoot, feeRecipient: p.feeRecipient, parentBeaconBlockRoot: beaconRoot, timestamp, baseFee, gasLimit }, txs)
    } catch (err) {
      if (err instanceof TxApplyError) return err.message
      throw err
    }
    if (exec.gasUsed !== gasUsed) return `invalid gas used (remote: ${gasUsed} local: ${exec.gasUsed})`
    if (exec.logsBloom !== p.logsBloom.toLowerCase()) return 'invalid bloom'
    if (exec.receiptsRoot !== p.receiptsRoot.toLowerCase()) return `invalid receipt root hash (remote: ${p.receiptsRoot} local: ${exec.receiptsRoot})`
    if (exec.stateRoot !== p.stateRoot.toLowerCase()) return `invalid merkle root (remote: ${p.stateRoot} local: ${exec.stateRoot})`
    return undefined
  }

  // ---- transactions ---------------------------------------------------------------------------

  /** The signer of a signed transaction (cached by hash), or undefined when the signature is bad. */
  async sender(tx: DecodedTx): Promise<Hex | undefined> {
    if (tx.depositFrom) return tx.depositFrom
    const known = this.#senders.get(tx.hash)
    if (known) return known
    try {
      const from = await recoverTransactionAddress({ serializedTransaction: tx.raw as never })
      remember(this.#senders, tx.hash, from, MAX_SENDERS)
      return from
    } catch {
      return undefined
    }
  }

  /** eth_sendRawTransaction: decode, check chain id and type, recover the sender, pool it. */
  async sendRawTransaction(raw: unknown): Promise<Hex> {
    let tx: DecodedTx
    try { tx = decodeTx(raw) } catch (err) { throw new TxRejectedError((err as Error).message) }
    if (tx.type === DEPOSIT_TX_TYPE || tx.type === 3 || (tx.type === 4 && !forkAtLeast(this.fork, 'isthmus'))) throw new TxRejectedError('transaction type not supported')
    if (tx.chainId === undefined) throw new TxRejectedError('only replay-protected (EIP-155) transactions allowed over RPC')
    if (tx.chainId !== this.chainId) throw new TxRejectedError(`invalid chain id for signer: have ${tx.chainId} want ${this.chainId}`)
    if (this.pool.has(tx.hash) || this.chain.txPosition(tx.hash)) throw new TxRejectedError('already known')
    const intrinsic = txGasUsed({ ...tx, gas: 1n << 62n })
    if (tx.gas < intrinsic) throw new TxRejectedError(`intrinsic gas too low: gas ${tx.gas}, minimum needed ${intrinsic}`)
    const from = await this.sender(tx)
    if (!from) throw new TxRejectedError('invalid sender')
    this.pool.add(tx, from)
    return tx.hash
  }

  // ---- reads ----------------------------------------------------------------------------------

  blockByTag(tag: unknown): SimBlock | undefined {
    switch (tag) {
      case 'latest':
      case 'pending':
        return this.chain.head
      case 'safe':
        return this.chain.safe
      case 'finalized':
        return this.chain.finalized
      case 'earliest':
        return this.chain.genesis
    }
    // Checked here, not left to quantityToBigInt: its message would quote the value back.
    if (typeof tag !== 'string' || !BLOCK_NUMBER.test(tag)) throw new TypeError('block: expected a hex quantity or latest, pending, safe, finalized, earliest')
    return this.chain.byNumber(BigInt(tag))
  }

  async rpcBlock(b: SimBlock, full: boolean): Promise<Record<string, unknown>> {
    const summary: Record<string, unknown> = payloadToBlockSummary(b.payload, b.parentBeaconBlockRoot, b.executionRequests)
    if (full) {
      summary.transactions = await Promise.all(b.payload.transactions.map(async (raw, index) => {
        const tx = decodeTx(raw)
        return rpcTransaction(tx, await this.sender(tx), { blockHash: b.hash, blockNumber: b.number, index, baseFee: b.baseFee })
      }))
    }
    return summary
  }

  poolTransaction(tx: PoolTx): Record<string, unknown> {
    return rpcTransaction(tx, tx.from)
  }

  async transactionByHash(hash: Hex): Promise<Record<string, unknown> | null> {
    const pooled = this.pool.get(hash)
    if (pooled) return rpcTransaction(pooled, pooled.from)
    const at = this.chain.txPosition(hash)
    if (!at) return null
    const tx = decodeTx(at.block.payload.transactions[at.index]!)
    return rpcTransaction(tx, await this.sender(tx), { blockHash: at.block.hash, blockNumber: at.block.number, index: at.index, baseFee: at.block.baseFee })
  }

  /** A receipt under the sim's rules: success, no logs, gas by the documented rule. */
  async receiptByHash(hash: Hex): Promise<Record<string, unknown> | null> {
    const at = this.chain.txPosition(hash)
    if (!at) return null
    let cumulative = 0n
    let tx: DecodedTx | undefined
    for (let i = 0; i <= at.index; i++) {
      tx = decodeTx(at.block.payload.transactions[i]!)
      cumulative += txGasUsed(tx)
    }
    const t = tx!
    const tip = t.type === DEPOSIT_TX_TYPE ? 0n : (t.maxPriorityFeePerGas < t.maxFeePerGas - at.block.baseFee ? t.maxPriorityFeePerGas : t.maxFeePerGas - at.block.baseFee)
    return {
      transactionHash: t.hash, transactionIndex: toQuantity(at.index), blockHash: at.block.hash, blockNumber: toQuantity(at.block.number),
      from: await this.sender(t), to: t.to, cumulativeGasUsed: toQuantity(cumulative), gasUsed: toQuantity(txGasUsed(t)),
      effectiveGasPrice: toQuantity(t.type === DEPOSIT_TX_TYPE ? 0n : at.block.baseFee + tip), contractAddress: null, logs: [],
      logsBloom: at.block.payload.logsBloom, status: '0x1', type: toQuantity(t.type),
    }
  }
}

/**
 * Deterministic 8-byte payload id: sha256 over the parent hash and the attributes, first byte the
 * FCU version (3) as op-geth does, so two engine-sims given the same call return the same id.
 */
export function payloadId(parentHash: Hex, attrs: PayloadAttributesV3): Hex {
  const h = createHash('sha256').update(parentHash.toLowerCase()).update(JSON.stringify([
    attrs.timestamp, attrs.prevRandao, attrs.suggestedFeeRecipient, attrs.withdrawals, attrs.parentBeaconBlockRoot,
    attrs.transactions ?? [], attrs.noTxPool ?? false, attrs.gasLimit ?? null, attrs.eip1559Params ?? null, attrs.minBaseFee ?? null,
  ]).toLowerCase()).digest()
  h[0] = 3
  return bytesToHex(h.subarray(0, 8))
}
