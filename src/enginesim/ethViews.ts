import { payloadToBlockSummary } from '../engine/blockSummary.js'
import { DEPOSIT_TX_TYPE, type DecodedTx, decodeTx } from '../engine/decodeTx.js'
import { txGasUsed } from '../engine/execution.js'
import type { Mempool, PoolTx } from '../engine/mempool.js'
import type { Hex } from '../engine/types.js'
import { type EvmReceipt, rpcLog, rpcReceipt } from '../evm/index.js'
import { toQuantity } from '../util/hex.js'
import type { Chain, SimBlock } from './chain.js'
import { rpcTransaction } from './rpcTx.js'

/** eth_getLogs' address and topic filter, lower-case; `null` in a topic position matches anything. */
export type LogFilter = { addresses: ReadonlySet<string> | undefined; topics: (ReadonlySet<string> | null)[] }

function matches(l: EvmReceipt['logs'][number], f: LogFilter): boolean {
  if (f.addresses && !f.addresses.has(l.address.toLowerCase())) return false
  if (f.topics.length > l.topics.length) return false
  for (const [i, want] of f.topics.entries()) if (want && !want.has(l.topics[i]!.toLowerCase())) return false
  return true
}

/** A block number: a uint64 quantity (geth refuses longer ones with -32602 too). */
const BLOCK_NUMBER = /^0x(0|[1-9a-fA-F][0-9a-fA-F]{0,15})$/

/** engine-sim's eth_ read views (blocks, transactions, receipts) over its chain and pool, as geth's JSON. */
export class EthViews {
  readonly #chain: Chain
  readonly #pool: Mempool
  readonly #sender: (tx: DecodedTx) => Promise<Hex | undefined>

  constructor(chain: Chain, pool: Mempool, sender: (tx: DecodedTx) => Promise<Hex | undefined>) {
    this.#chain = chain
    this.#pool = pool
    this.#sender = sender
  }

  blockByTag(tag: unknown): SimBlock | undefined {
    switch (tag) {
      case 'latest':
      case 'pending':
        return this.#chain.head
      case 'safe':
        return this.#chain.safe
      case 'finalized':
        return this.#chain.finalized
      case 'earliest':
        return this.#chain.genesis
    }
    // Checked here, not left to quantityToBigInt: its message would quote the value back.
    if (typeof tag !== 'string' || !BLOCK_NUMBER.test(tag))
      throw new TypeError('block: expected a hex quantity or latest, pending, safe, finalized, earliest')
    return this.#chain.byNumber(BigInt(tag))
  }

  async rpcBlock(b: SimBlock, full: boolean): Promise<Record<string, unknown>> {
    const summary: Record<string, unknown> = payloadToBlockSummary(
      b.payload,
      b.parentBeaconBlockRoot,
      b.executionRequests,
    )
    if (full) {
      summary.transactions = await Promise.all(
        b.payload.transactions.map(async (raw, index) => {
          const tx = decodeTx(raw)
          return rpcTransaction(tx, await this.#sender(tx), {
            blockHash: b.hash,
            blockNumber: b.number,
            index,
            baseFee: b.baseFee,
          })
        }),
      )
    }
    return summary
  }

  poolTransaction(tx: PoolTx): Record<string, unknown> {
    return rpcTransaction(tx, tx.from)
  }

  async transactionByHash(hash: Hex): Promise<Record<string, unknown> | null> {
    const pooled = this.#pool.get(hash)
    if (pooled) return rpcTransaction(pooled, pooled.from)
    const at = this.#chain.txPosition(hash)
    if (!at) return null
    const tx = decodeTx(at.block.payload.transactions[at.index]!)
    return rpcTransaction(tx, await this.#sender(tx), {
      blockHash: at.block.hash,
      blockNumber: at.block.number,
      index: at.index,
      baseFee: at.block.baseFee,
    })
  }

  /** Every receipt of a block as op-geth's JSON (eth_getBlockReceipts); undefined under `--execution sim`. */
  blockReceipts(b: SimBlock): Record<string, unknown>[] | undefined {
    if (!b.receipts) return undefined
    let firstLogIndex = 0
    return b.receipts.map((r, index) => {
      const out = rpcReceipt(r, { blockHash: b.hash, blockNumber: b.number, index, firstLogIndex })
      firstLogIndex += r.logs.length
      return out
    })
  }

  /** The logs of `b` that match (geth's filter: any of the addresses; per position, any of the topics). */
  logsOf(b: SimBlock, filter: LogFilter): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = []
    if (!b.receipts) return out
    let logIndex = 0
    for (const [index, r] of b.receipts.entries()) {
      for (const l of r.logs) {
        if (matches(l, filter))
          out.push(rpcLog(l, { blockHash: b.hash, blockNumber: b.number, index, firstLogIndex: 0 }, r.txHash, logIndex))
        logIndex++
      }
    }
    return out
  }

  /** A receipt: the EVM's, or under `--execution sim` the stand-in's (success, no logs, gas by the documented rule). */
  async receiptByHash(hash: Hex): Promise<Record<string, unknown> | null> {
    const at = this.#chain.txPosition(hash)
    if (!at) return null
    if (at.block.receipts) return this.blockReceipts(at.block)![at.index] ?? null
    let cumulative = 0n
    let tx: DecodedTx | undefined
    for (let i = 0; i <= at.index; i++) {
      tx = decodeTx(at.block.payload.transactions[i]!)
      cumulative += txGasUsed(tx)
    }
    const t = tx!
    const tip =
      t.type === DEPOSIT_TX_TYPE
        ? 0n
        : t.maxPriorityFeePerGas < t.maxFeePerGas - at.block.baseFee
          ? t.maxPriorityFeePerGas
          : t.maxFeePerGas - at.block.baseFee
    return {
      transactionHash: t.hash,
      transactionIndex: toQuantity(at.index),
      blockHash: at.block.hash,
      blockNumber: toQuantity(at.block.number),
      from: await this.#sender(t),
      to: t.to,
      cumulativeGasUsed: toQuantity(cumulative),
      gasUsed: toQuantity(txGasUsed(t)),
      effectiveGasPrice: toQuantity(t.type === DEPOSIT_TX_TYPE ? 0n : at.block.baseFee + tip),
      contractAddress: null,
      logs: [],
      logsBloom: at.block.payload.logsBloom,
      status: '0x1',
      type: toQuantity(t.type),
    }
  }
}
