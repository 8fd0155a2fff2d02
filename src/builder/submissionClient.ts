import type { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import type { Counter } from 'prom-client'
import type { Hex } from '../engine/types.js'
import type { RpcClient } from '../rpc/client.js'
import type { AssembledBlock } from './assemble.js'
import { submissionOf } from './submissionOf.js'

export type SubmittedEvent = {
  jobId: Hex
  blockHash: Hex
  value: bigint
  txs: number
  result: { status: string; reason?: string } | { error: string }
}

export type SubmissionClientOptions = {
  /** The sequencer's builder listener, JWT-signed. */
  sequencer: RpcClient
  /** A submission may run this long past the build's stop time (the builder stops that long before the deadline). */
  submitMarginMs: number
  submitted: Counter<'status' | 'reason'>
  /** Gets a `submitted` event (SubmittedEvent) per submission. */
  events: EventEmitter
  log: Logger
}

/** pbs_submitBlock to the sequencer: every answer, or failure, is counted and emitted as `submitted`. */
export class SubmissionClient {
  readonly #o: SubmissionClientOptions

  constructor(o: SubmissionClientOptions) {
    this.#o = o
  }

  async submit(block: AssembledBlock, stopAt: number): Promise<SubmittedEvent> {
    const result = await this.#call(block, stopAt)
    this.#o.submitted.inc({
      status: 'status' in result ? result.status : 'error',
      reason: 'reason' in result ? (result.reason ?? '') : '',
    })
    const ev: SubmittedEvent = {
      jobId: block.jobId,
      blockHash: block.executionPayload.blockHash,
      value: block.value,
      txs: block.included.length,
      result,
    }
    this.#o.log.debug(ev, 'submitted block')
    this.#o.events.emit('submitted', ev)
    return ev
  }

  async #call(block: AssembledBlock, stopAt: number): Promise<SubmittedEvent['result']> {
    try {
      return await this.#o.sequencer.call<{ status: string; reason?: string }>(
        'pbs_submitBlock',
        [submissionOf(block)],
        AbortSignal.timeout(Math.max(1, stopAt - Date.now() + this.#o.submitMarginMs)),
      )
    } catch (err) {
      return { error: (err as Error).message }
    }
  }
}
