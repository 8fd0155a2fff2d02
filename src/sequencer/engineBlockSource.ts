import type { RpcBlock } from '../engine/blockSummary.js'
import type { ExecutionPayloadV3, Hex, WithdrawalV1 } from '../engine/types.js'
import type { RpcClient } from '../rpc/client.js'
import type { PublishedBlock } from './replicas.js'

const ZERO: Hex = `0x${'00'.repeat(32)}`

/**
 * Our own engine as the source of blocks older than the ones we sealed ourselves (RecentBlocks):
 * a replica that restarted empty, or a node that was leader before us, sealed blocks we never held.
 * A payload is rebuilt from the header (eth_getBlockByNumber) and the body
 * (engine_getPayloadBodiesByRangeV1): geth's and engine-sim's blocks carry every payload field.
 */
export class EngineBlockSource {
  readonly #engine: RpcClient

  constructor(engine: RpcClient) {
    this.#engine = engine
  }

  /** Our engine's canonical block hash at `n`, if it has one. */
  async hashAt(n: bigint): Promise<Hex | undefined> {
    const b = await this.#engine.call<{ hash?: Hex } | null>('eth_getBlockByNumber', [`0x${n.toString(16)}`, false])
    return b?.hash
  }

  /**
   * Block `n` as it is published. Its forkchoice state leaves safe and finalized unset (zero): the
   * replica may not hold ours yet; the newest block's own state sets them when it arrives.
   */
  async block(n: bigint): Promise<PublishedBlock | undefined> {
    if (n < 1n) return undefined
    const q = `0x${n.toString(16)}`
    const [h, bodies] = await Promise.all([
      this.#engine.call<RpcBlock | null>('eth_getBlockByNumber', [q, false]),
      this.#engine.call<({ transactions: Hex[]; withdrawals: WithdrawalV1[] } | null)[]>(
        'engine_getPayloadBodiesByRangeV1',
        [q, '0x1'],
      ),
    ])
    const body = bodies?.[0]
    if (!h || !body) return undefined
    const v4 = h.requestsHash !== undefined
    const payload: ExecutionPayloadV3 = {
      parentHash: h.parentHash,
      feeRecipient: h.miner,
      stateRoot: h.stateRoot,
      receiptsRoot: h.receiptsRoot,
      logsBloom: h.logsBloom,
      prevRandao: h.mixHash,
      blockNumber: h.number,
      gasLimit: h.gasLimit,
      gasUsed: h.gasUsed,
      timestamp: h.timestamp,
      extraData: h.extraData,
      baseFeePerGas: h.baseFeePerGas,
      blockHash: h.hash,
      transactions: body.transactions,
      withdrawals: body.withdrawals,
      blobGasUsed: h.blobGasUsed,
      excessBlobGas: h.excessBlobGas,
      // Isthmus: the payload's withdrawalsRoot is the header's.
      ...(v4 ? { withdrawalsRoot: h.withdrawalsRoot } : {}),
    }
    return {
      env: {
        executionPayload: payload,
        blockValue: '0x0',
        parentBeaconBlockRoot: h.parentBeaconBlockRoot,
        ...(v4 ? { executionRequests: [] } : {}),
      },
      version: v4 ? 4 : 3,
      state: { headBlockHash: h.hash, safeBlockHash: ZERO, finalizedBlockHash: ZERO },
      number: n,
      hash: h.hash,
    }
  }
}
