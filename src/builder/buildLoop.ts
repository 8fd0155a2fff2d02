import type { Logger } from 'pino'
import type { Counter } from 'prom-client'
import type { StartBuildingParams } from '../pbs/index.js'
import type { FailureLog } from '../util/failureLog.js'
import type { BlockAssembler } from './blockAssembler.js'
import { orderByFee } from './feePolicy.js'
import type { InteropChecker } from './interopCheck.js'
import type { JobFollower } from './jobFollower.js'
import type { BuilderMempool } from './mempool.js'
import type { ParentLookup } from './parentLookup.js'
import type { SubmissionClient } from './submissionClient.js'

export type BuildLoopOptions = {
  follower: JobFollower
  parents: ParentLookup
  /** Executes the chosen transactions (the paired engine-sim's EVM, or the local stand-in rules). */
  assembler: BlockAssembler
  mempool: BuilderMempool
  submissions: SubmissionClient
  interop: InteropChecker | undefined
  /** The chain id interop checks run for; without one they are skipped. */
  chainId: number | undefined
  /** Rebuild (and resubmit a better block) at most this often, in ms. */
  resubmitInterval: number
  /** Stop building this long before the job's deadline, in ms. */
  submitMarginMs: number
  log: Logger
  /** Jobs that ended without their parent: counted, and logged once per interval with the count. */
  missed: Counter
  missedLog: FailureLog
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)))

/**
 * One job's build: wait for its parent, then assemble a block from the mempool by the fee policy,
 * submit the first at once and every better one after, rebuilding when the mempool changes, until
 * the job is superseded or `submitMarginMs` before its deadline.
 */
export class BuildLoop {
  readonly #o: BuildLoopOptions

  constructor(o: BuildLoopOptions) {
    this.#o = o
  }

  async run(job: StartBuildingParams, g: number): Promise<void> {
    const { follower, mempool, interop, chainId } = this.#o
    // Imported on the first job: assemble.js pulls in the transaction parse (viem/op-stack, ~0.5 CPU-s),
    // which a follower's builder, never asked to build, does not load at all.
    const { childBaseFee } = await import('./assemble.js')
    const stopAt = job.deadline - this.#o.submitMarginMs
    const parent = await this.#o.parents.parentOf(job, stopAt, g)
    if (!parent) {
      this.#parentMissing(job, g)
      return
    }
    this.#o.missedLog.success({ jobId: job.jobId })
    mempool.included(parent.transactions.filter((t) => typeof t === 'object'))
    const baseFee = childBaseFee(job, parent)
    const verdicts = new Map<string, boolean>()
    let built = -1
    let best = -1n
    while (follower.live(g) && Date.now() < stopAt) {
      if (mempool.version !== built) {
        built = mempool.version
        let txs = orderByFee(mempool.entries(), baseFee)
        if (interop && chainId !== undefined)
          txs = await interop.filter(txs, BigInt(chainId), BigInt(job.attributes.timestamp), verdicts)
        let block: Awaited<ReturnType<BlockAssembler['assemble']>>
        try {
          block = await this.#o.assembler.assemble(job, parent, txs)
        } catch (err) {
          this.#o.log.debug({ err: (err as Error).message, jobId: job.jobId }, 'block execution failed')
          await sleep(Math.min(this.#o.resubmitInterval, stopAt - Date.now()))
          built = -1
          continue
        }
        if (!block) break
        // The first block goes at once (the sequencer has something early); later ones only when better.
        if (best < 0n || block.value > best) {
          best = block.value
          if (!follower.isCurrent(g) || Date.now() >= stopAt) break
          await this.#o.submissions.submit(block, stopAt)
        }
        // Rate of rebuilds: at most one per interval.
        await sleep(Math.min(this.#o.resubmitInterval, stopAt - Date.now()))
      } else {
        await follower.nap(stopAt - Date.now())
      }
    }
  }

  /** The job ended without its parent block: counted and logged (once per interval) unless a newer job superseded it. */
  #parentMissing(job: StartBuildingParams, g: number): void {
    if (!this.#o.follower.live(g)) return
    this.#o.missed.inc()
    const engineError = this.#o.parents.lastError
    this.#o.missedLog.failure(engineError ? `engine: ${engineError}` : 'the engine does not know the parent', {
      jobId: job.jobId,
      parent: job.parent.hash,
    })
  }
}
