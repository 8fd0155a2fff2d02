import { EventEmitter } from 'node:events'
import type { Hex } from '../engine/types.js'
import type { SubmitResult } from '../pbs/index.js'
import type { SelectionReason } from './selection.js'
import type { BlockSource, Job } from './types.js'

/**
 * What the sequencer tells observers (metrics, logs, tests): every step of a job. Tests await these
 * instead of sleeping ("job started", "candidate validated", "block sealed").
 */
export type SequencerEventMap = {
  job: Job
  deadline: Job
  submission: { builder: string; jobId: Hex; result: SubmitResult; blockHash?: Hex }
  validated: { builder: string; jobId: Hex; blockHash: Hex; valid: boolean; reason?: string; seconds: number }
  sealed: {
    jobId: Hex | undefined
    source: BlockSource
    reason: SelectionReason | 'no_job'
    blockHash: Hex
    number: bigint
    builder?: string
    deadlineToSealMs?: number
    engineMs?: number
  }
  published: { blockHash: Hex; number: bigint; replicas: number }
  /** Standalone: a replica took one of our blocks (newPayload VALID + forkchoice update), or an attempt failed. */
  replica: { replica: string; outcome: 'taken' | 'failed'; number?: bigint }
  /** Standalone: a slot attempt ended (skipped = not the leader, or the conductor refused the commit). */
  slot: { outcome: 'sealed' | 'skipped' | 'failed'; consecutiveFailures: number }
  health: { status: 'healthy' | 'partial' | 'unhealthy' }
  error: { where: string; error: unknown }
}

export type SequencerEventName = keyof SequencerEventMap

export class SequencerEvents {
  readonly #ee = new EventEmitter()

  constructor() {
    this.#ee.setMaxListeners(0)
  }

  emit<K extends SequencerEventName>(name: K, value: SequencerEventMap[K]): void {
    this.#ee.emit(name, value)
  }

  on<K extends SequencerEventName>(name: K, fn: (value: SequencerEventMap[K]) => void): () => void {
    this.#ee.on(name, fn)
    return () => this.#ee.off(name, fn)
  }

  /** The next event `name` that satisfies `match`; rejects after `timeoutMs` so a test never hangs. */
  waitFor<K extends SequencerEventName>(
    name: K,
    match: (value: SequencerEventMap[K]) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<SequencerEventMap[K]> {
    const p = new Promise<SequencerEventMap[K]>((resolve, reject) => {
      const timer = setTimeout(() => {
        off()
        reject(new Error(`timed out waiting for "${name}" event`))
      }, timeoutMs)
      // An abandoned waiter must not keep the process alive.
      timer.unref()
      const off = this.on(name, (v) => {
        if (!match(v)) return
        clearTimeout(timer)
        off()
        resolve(v)
      })
    })
    // A waiter abandoned by a failed test must not turn into an unhandled rejection; awaiting still throws.
    p.catch(() => undefined)
    return p
  }
}
