import type { Logger } from 'pino'
import type { DecodedTx } from '../engine/decodeTx.js'
import type { ExecutionPayloadV3, Hex } from '../engine/types.js'
import type { RpcClient } from '../rpc/client.js'
import type { AssembledBlock, JobSpec, ParentHeader } from './assemble.js'

type Built = { executionPayload: ExecutionPayloadV3; blockValue: Hex; included: Hex[] } | null

/**
 * Where a block is executed. Against an engine-sim with EVM execution (`sim_execution` answers
 * `evm`), the builder chooses and orders the transactions and its paired engine-sim executes them
 * on the parent's state (`sim_buildBlock`: the same @ethereumjs/vm execution as its getPayload),
 * so the block carries real state and receipts roots; against `--execution sim` (or an engine that
 * does not say) it assembles locally under the stand-in's rules, as before. The mode is asked once
 * and kept; a failed question is asked again at the next build.
 */
export class BlockAssembler {
  readonly #engine: RpcClient
  readonly #log: Logger
  #mode: 'evm' | 'sim' | undefined

  constructor(engine: RpcClient, log: Logger) {
    this.#engine = engine
    this.#log = log
  }

  /** The block for `job` on `parent` from `txs` in order; undefined when the engine does not know the parent. */
  async assemble(job: JobSpec, parent: ParentHeader, txs: readonly DecodedTx[]): Promise<AssembledBlock | undefined> {
    if ((await this.#modeOf()) !== 'evm') {
      // Imported on the first job (the transaction parse is ~0.5 CPU-s of modules): a follower's builder never builds.
      const { assembleBlock } = await import('./assemble.js')
      return assembleBlock(job, parent, txs)
    }
    const built = await this.#engine.call<Built>('sim_buildBlock', [
      { parentHash: parent.hash, attributes: job.attributes, transactions: txs.map((t) => t.raw) },
    ])
    if (!built) return undefined
    const byHash = new Map(txs.map((t) => [t.hash, t]))
    const included = built.included.map((h) => byHash.get(h)).filter((t): t is DecodedTx => t !== undefined)
    const block: AssembledBlock = {
      jobId: job.jobId,
      executionPayload: built.executionPayload,
      parentBeaconBlockRoot: job.attributes.parentBeaconBlockRoot,
      blockValue: built.blockValue,
      included,
      value: BigInt(built.blockValue),
    }
    if (job.engineVersion === 4) block.executionRequests = []
    return block
  }

  async #modeOf(): Promise<'evm' | 'sim' | undefined> {
    if (this.#mode) return this.#mode
    try {
      this.#mode = (await this.#engine.call<string>('sim_execution', [])) === 'evm' ? 'evm' : 'sim'
      this.#log.info({ execution: this.#mode }, 'paired engine execution')
    } catch (err) {
      // Unauthorized (no --engine jwt) or not an engine-sim: keep assembling locally, ask again later.
      this.#log.debug({ err: (err as Error).message }, 'engine execution mode unknown')
      return undefined
    }
    return this.#mode
  }
}
