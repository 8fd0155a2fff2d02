import { getAddress } from 'viem'
import { admitTx } from '../engine/admitTx.js'
import type { DecodedTx } from '../engine/decodeTx.js'
import { TxRejectedError } from '../engine/errors.js'
import type { Fork } from '../engine/fork.js'
import type { Mempool } from '../engine/mempool.js'
import { recoverSender } from '../engine/senderRecovery.js'
import type { Hex } from '../engine/types.js'
import { BoundedMap } from '../util/boundedMap.js'
import type { Chain } from './chain.js'

/** Recovered senders kept by transaction hash (~100 bytes each: 200k ≈ 20 MB). */
const MAX_SENDERS = 200_000

/**
 * engine-sim's transaction intake: eth_sendRawTransaction (geth's admission, src/engine/admitTx.ts,
 * then the pool) and the sender of any transaction, recovered once (libsecp256k1, as the ingress)
 * and kept by hash for the blocks and views that show it.
 */
export class TxIntake {
  readonly #chainId: number
  readonly #fork: Fork
  readonly #chain: Chain
  readonly #pool: Mempool
  readonly #senders = new BoundedMap<string, Hex>(MAX_SENDERS)

  constructor(o: { chainId: number; fork: Fork; chain: Chain; pool: Mempool }) {
    this.#chainId = o.chainId
    this.#fork = o.fork
    this.#chain = o.chain
    this.#pool = o.pool
  }

  /** The signer of a signed transaction (checksummed, as geth shows it), or undefined when the signature is bad. */
  async sender(tx: DecodedTx): Promise<Hex | undefined> {
    if (tx.depositFrom) return tx.depositFrom
    const known = this.#senders.get(tx.hash)
    if (known) return known
    const from = await recoverSender(tx.raw)
    if (!from) return undefined
    const checksummed = getAddress(from)
    this.#senders.set(tx.hash, checksummed)
    return checksummed
  }

  /** eth_sendRawTransaction: admission (type, chain id, known, intrinsic gas), the sender, the pool. */
  async sendRawTransaction(raw: unknown): Promise<Hex> {
    const tx = admitTx(raw, {
      chainId: this.#chainId,
      fork: this.#fork,
      known: (h) => this.#pool.has(h) || this.#chain.txPosition(h) !== undefined,
    })
    const from = await this.sender(tx)
    if (!from) throw new TxRejectedError('invalid sender')
    this.#pool.add(tx, from)
    return tx.hash
  }
}
