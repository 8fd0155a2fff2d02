import { admitTx } from '../engine/admitTx.js'
import { DEPOSIT_TX_TYPE, type DecodedTx, decodeTx } from '../engine/decodeTx.js'
import { TxRejectedError } from '../engine/errors.js'
import { type Fork, forkAtLeast } from '../engine/fork.js'
import type { Mempool, PoolTx } from '../engine/mempool.js'
import { recoverSender } from '../engine/senderRecovery.js'
import type { Hex } from '../engine/types.js'
import type { StateReader } from '../evm/index.js'
import { BoundedMap } from '../util/boundedMap.js'
import { hexToBytes } from '../util/hex.js'
import { viemUtils } from '../util/lazyViem.js'
import type { Chain, SimBlock } from './chain.js'
import { GETH_TXPOOL_LIMITS, TxPoolLimiter, type TxPoolLimits } from './txpoolLimits.js'

/** Recovered senders kept by transaction hash (~100 bytes each: 200k ≈ 20 MB). */
const MAX_SENDERS = 200_000
/** EIP-7623 (Prague, so Isthmus on OP): 21000 + 10 per calldata token (a zero byte 1 token, others 4). */
const FLOOR_PER_TOKEN = 10n

const cost = (tx: DecodedTx) => tx.gas * tx.maxFeePerGas + tx.value

function floorDataGas(data: Hex): bigint {
  let tokens = 0n
  for (const b of hexToBytes(data)) tokens += b === 0 ? 1n : 4n
  return 21_000n + tokens * FLOOR_PER_TOKEN
}

/**
 * engine-sim's transaction intake: eth_sendRawTransaction with geth's txpool admission
 * (core/txpool/validation.go, legacypool: stateless checks, then against the head's state: nonce,
 * balance for the sender's pending transactions plus this one, replacement) and the sender of any
 * transaction, recovered once (libsecp256k1, as the ingress) and kept by hash.
 */
export class TxIntake {
  readonly #chainId: number
  readonly #fork: Fork
  readonly #chain: Chain
  readonly #pool: Mempool
  readonly #reader: StateReader | undefined
  readonly #senders = new BoundedMap<string, Hex>(MAX_SENDERS)
  readonly #limits: TxPoolLimiter

  constructor(o: {
    chainId: number
    fork: Fork
    chain: Chain
    pool: Mempool
    reader?: StateReader | undefined
    /** geth's legacypool limits; default GETH_TXPOOL_LIMITS. The slot limits apply under EVM execution. */
    txpool?: Partial<TxPoolLimits> | undefined
  }) {
    this.#chainId = o.chainId
    this.#fork = o.fork
    this.#chain = o.chain
    this.#pool = o.pool
    this.#reader = o.reader
    this.#limits = new TxPoolLimiter(o.pool, { ...GETH_TXPOOL_LIMITS, ...o.txpool })
  }

  /** The signer of a signed transaction (checksummed, as geth shows it), or undefined when the signature is bad. */
  async sender(tx: DecodedTx): Promise<Hex | undefined> {
    if (tx.depositFrom) return tx.depositFrom
    const known = this.#senders.get(tx.hash)
    if (known) return known
    const from = await recoverSender(tx.raw)
    if (!from) return undefined
    const checksummed = viemUtils().getAddress(from)
    this.#senders.set(tx.hash, checksummed)
    return checksummed
  }

  /**
   * eth_sendRawTransaction: admission (type, chain id, known, intrinsic gas), geth's other
   * stateless checks, the sender, the state checks (EVM execution), then the pool (replacement by a
   * 10% bump; a nonce above the next one waits queued until the gap fills).
   */
  async sendRawTransaction(raw: unknown): Promise<Hex> {
    const tx = admitTx(raw, {
      chainId: this.#chainId,
      fork: this.#fork,
      known: (h) => this.#pool.has(h) || this.#chain.txPosition(h) !== undefined,
    })
    const head = this.#chain.head
    if (tx.gas > head.gasLimit) throw new TxRejectedError('exceeds block gas limit')
    if (tx.maxPriorityFeePerGas > tx.maxFeePerGas)
      throw new TxRejectedError('max priority fee per gas higher than max fee per gas')
    if (forkAtLeast(this.#fork, 'isthmus')) {
      const floor = floorDataGas(tx.data)
      if (tx.gas < floor)
        throw new TxRejectedError(`insufficient gas for floor data gas cost: gas ${tx.gas}, minimum needed ${floor}`)
    }
    // geth's txpool.pricelimit (validation.go's MinTip), after the intrinsic and floor checks as there.
    const minTip = this.#limits.limits.priceLimit
    if (tx.maxPriorityFeePerGas < minTip)
      throw new TxRejectedError(
        `transaction gas price below minimum: gas tip cap ${tx.maxPriorityFeePerGas}, minimum needed ${minTip}`,
      )
    const from = await this.sender(tx)
    if (!from) throw new TxRejectedError('invalid sender')
    if (!this.#reader) {
      this.#pool.add(tx, from)
      return tx.hash
    }
    await this.#checkState(this.#reader, head, tx, from)
    this.#limits.makeRoom(tx, from, head.baseFee)
    this.#pool.add(tx, from)
    this.#limits.enforce([from])
    return tx.hash
  }

  /** geth's ValidateTransactionWithState against the head: nonce, then balance for this and the pending ones. */
  async #checkState(reader: StateReader, head: SimBlock, tx: DecodedTx, from: Hex): Promise<void> {
    const { nonce, balance } = await reader.account(head.payload.stateRoot, from)
    if (tx.nonce < nonce) throw new TxRejectedError(`nonce too low: next nonce ${nonce}, tx nonce ${tx.nonce}`)
    const c = cost(tx)
    const insufficient = 'insufficient funds for gas * price + value'
    if (balance < c)
      throw new TxRejectedError(`${insufficient}: balance ${balance}, tx cost ${c}, overshot ${c - balance}`)
    // legacypool counts the pending (gap-free from the state nonce) transactions only.
    const pooled = this.#pool.ofSender(from)
    let spent = 0n
    let prev: PoolTx | undefined
    for (let n = nonce; pooled?.has(n); n++) {
      const t = pooled.get(n)!
      spent += cost(t)
      if (n === tx.nonce) prev = t
    }
    if (prev) {
      const bump = c - cost(prev)
      const need = spent + bump
      if (balance < need)
        throw new TxRejectedError(
          `${insufficient}: balance ${balance}, queued cost ${spent}, tx bumped ${bump}, overshot ${need - balance}`,
        )
    } else if (balance < spent + c) {
      throw new TxRejectedError(
        `${insufficient}: balance ${balance}, queued cost ${spent}, tx cost ${c}, overshot ${spent + c - balance}`,
      )
    }
    this.#pool.setNextNonce(from, nonce)
  }

  /**
   * After the head moved (forkchoice, debug_setHead): the transactions of blocks that left the
   * canonical chain go back to the pool (geth's reset reinjects them), then every pooled sender's
   * next nonce is read from the new head's state, so what the head included leaves the pool and
   * what a reorg undid becomes pending again. Under `--execution sim` (no state) nothing is reinjected.
   */
  async headChanged(removed: readonly SimBlock[]): Promise<void> {
    const reader = this.#reader
    const root = this.#chain.head.payload.stateRoot
    const state = reader?.has(root) ? reader : undefined
    const back: { tx: DecodedTx; from: Hex }[] = []
    for (const b of removed)
      for (const raw of b.payload.transactions) {
        let tx: DecodedTx
        try {
          tx = decodeTx(raw)
        } catch {
          continue
        }
        if (tx.type === DEPOSIT_TX_TYPE || this.#pool.has(tx.hash) || this.#chain.txPosition(tx.hash)) continue
        const from = await this.sender(tx)
        if (from) back.push({ tx, from })
      }
    if (!state) return
    // The nonces first: the pool learnt higher ones from the blocks that left.
    const senders = new Set<string>([...this.#pool.senders()].map(([s]) => s))
    for (const { from } of back) senders.add(from.toLowerCase())
    const balances = new Map<string, bigint>()
    for (const sender of senders) {
      const { nonce, balance } = await state.account(root, sender as Hex)
      this.#pool.setNextNonce(sender, nonce)
      balances.set(sender, balance)
    }
    for (const { tx, from } of back) {
      try {
        this.#pool.add(tx, from)
      } catch {
        // A replacement already pooled or a full pool: geth drops it too.
      }
    }
    // geth's demoteUnexecutables / promoteExecutables: a transaction the new head makes unpayable
    // (cost above the balance) or too large (gas above the head's gas limit) leaves the pool; the
    // sender's higher nonces then wait queued behind the gap (nonces below the state's left above).
    const gasLimit = this.#chain.head.gasLimit
    for (const sender of senders) {
      const balance = balances.get(sender) ?? 0n
      for (const tx of [...(this.#pool.ofSender(sender)?.values() ?? [])])
        if (tx.gas > gasLimit || cost(tx) > balance) this.#pool.remove(tx.hash)
    }
    this.#limits.headChanged()
    this.#limits.enforce(senders)
  }
}
