import { randomBytes } from 'node:crypto'
import type { Hex, PayloadAttributesV3, PayloadStatus } from '../engine/types.js'
import type { EngineVersion, GetPayloadVersion, ParentRef, Submission, SubmitResult } from '../pbs/index.js'
import type { RejectionReason } from '../pbs/reasons.js'
import { checkFields, jobExpectations, parseSubmission, submissionBlockHash } from './cheapChecks.js'
import type { CircuitBreaker } from './circuitBreaker.js'
import { MalformedSubmissionError } from './errors.js'
import type { SequencerEvents } from './events.js'
import type { Candidate, ExecutionMode, Job } from './types.js'

// Abort reasons made once: abort() without one builds a DOMException with a stack trace, ~40 µs
// measured on the seal path.
const SEALED = new Error('job sealed')
const SUPERSEDED = new Error('job superseded')

export type ValidationResult = { status: PayloadStatus } | { status: 'error'; error: string }

/** Runs engine_newPayload for one candidate; the signal fires when the job is sealed or superseded. */
export type Validator = (candidate: Candidate, job: Job, signal: AbortSignal) => Promise<ValidationResult>

/** What the book needs to know of the sequencer around it: whether builders take part now (BuilderGate). */
export type JobBookGate = {
  /** 'disabled' rejects every submission. */
  readonly mode: ExecutionMode
  /** The builder's circuit: an open one rejects its submissions; validation outcomes are recorded on it. */
  breaker(builder: string): CircuitBreaker
}

export type JobBookOptions = {
  validate: Validator
  events: SequencerEvents
  gate: JobBookGate
  maxTxs: number
  /** Largest uncompressed block (--max-submission-bytes). */
  maxBlockBytes?: number | undefined
  maxSubmissionsPerJob: number
  /** Block hash of a submission; may go off-thread for big blocks (default: inline). */
  hash?: (sub: Submission, v4: boolean) => Hex | undefined | Promise<Hex | undefined>
  now?: () => number
}

type BuilderSlot = {
  submissions: number
  hashes: Set<string>
  /** Highest `sequence` accepted from this builder for this job. */
  sequence?: bigint
  /** The builder's newest VALID block. */
  candidate?: Candidate
  validating?: Candidate
  /** Only the newest waiting submission is kept (coalescing). */
  waiting?: Candidate
}

type JobRecord = {
  job: Job
  sealed: boolean
  builders: Map<string, BuilderSlot>
  abort: AbortController
}

let seq = 0

export function newJobId(): Hex {
  return `0x${randomBytes(8).toString('hex')}`
}

export function createJob(args: {
  parent: ParentRef
  attributes: PayloadAttributesV3
  deadline: number
  sealAt: number
  engineVersion: EngineVersion
  getPayloadVersion?: GetPayloadVersion | undefined
  payloadId: Hex | null
  now: number
}): Job {
  return {
    jobId: newJobId(),
    parent: args.parent,
    attributes: args.attributes,
    deadline: args.deadline,
    sealAt: args.sealAt,
    engineVersion: args.engineVersion,
    getPayloadVersion: args.getPayloadVersion ?? args.engineVersion,
    payloadId: args.payloadId,
    expect: jobExpectations(args.parent, args.attributes),
    createdAt: args.now,
  }
}

/**
 * The current job and each builder's submissions for it. `submit` is the synchronous fast path
 * (shape, state and cheap checks, then queue); validation runs one block per builder at a time and
 * a builder's newest waiting submission replaces its older waiting one. A newly VALID block
 * replaces the builder's candidate; an invalid one leaves the older candidate in place.
 */
export class JobBook {
  readonly #o: JobBookOptions
  readonly #now: () => number
  #current: JobRecord | undefined

  constructor(o: JobBookOptions) {
    this.#o = o
    this.#now = o.now ?? Date.now
  }

  get current(): Job | undefined {
    return this.#current?.job
  }

  isSealed(jobId: Hex): boolean {
    return this.#current?.job.jobId === jobId && this.#current.sealed
  }

  /** A new job supersedes every older one: its queued and in-flight validations stop counting. */
  start(job: Job): void {
    this.#current?.abort.abort(SUPERSEDED)
    this.#current = { job, sealed: false, builders: new Map(), abort: new AbortController() }
  }

  /**
   * The fast path: shape, state and field checks synchronously; the block hash inline for small
   * blocks (a synchronous answer) or on a worker for big ones (a promise; the event loop stays free).
   * Throws MalformedSubmissionError for a submission that is not one.
   */
  submit(builder: string, params: unknown): SubmitResult | Promise<SubmitResult> {
    const parsed = parseSubmission(params)
    if ('malformed' in parsed) {
      this.#o.events.emit('submission', {
        builder,
        jobId: '0x',
        result: { status: 'rejected', reason: 'malformed_submission' },
      })
      throw new MalformedSubmissionError(parsed.malformed)
    }
    const now = this.#now()
    const reject = (reason: RejectionReason) => this.#reject(builder, parsed, reason)
    if (this.#o.gate.mode === 'disabled') return reject('builders_disabled')
    if (!this.#o.gate.breaker(builder).allows(now)) return reject('circuit_open')
    const rec = this.#current
    if (!rec || rec.job.jobId.toLowerCase() !== parsed.jobId.toLowerCase()) return reject('unknown_job')
    if (rec.sealed) return reject('job_sealed')
    if (now > rec.job.deadline) return reject('past_deadline')
    let slot = rec.builders.get(builder)
    if (!slot) rec.builders.set(builder, (slot = { submissions: 0, hashes: new Set() }))
    if (++slot.submissions > this.#o.maxSubmissionsPerJob) return reject('rate_limited')
    if (parsed.sequence !== undefined && slot.sequence !== undefined && parsed.sequence <= slot.sequence)
      return reject('stale_sequence')
    const failed = checkFields(parsed, rec.job, {
      maxTxs: this.#o.maxTxs,
      ...(this.#o.maxBlockBytes === undefined ? {} : { maxBlockBytes: this.#o.maxBlockBytes }),
    })
    if (failed) return reject(failed)
    const v4 = rec.job.engineVersion === 4
    const hash = this.#o.hash ? this.#o.hash(parsed, v4) : submissionBlockHash(parsed, v4)
    const s = slot
    if (hash instanceof Promise) return hash.then((h) => this.#accept(builder, rec, s, parsed, h, now))
    return this.#accept(builder, rec, s, parsed, hash, now)
  }

  #reject(builder: string, sub: Submission, reason: RejectionReason): SubmitResult {
    const result: SubmitResult = { status: 'rejected', reason }
    this.#o.events.emit('submission', { builder, jobId: sub.jobId, result, blockHash: sub.executionPayload.blockHash })
    return result
  }

  #accept(
    builder: string,
    rec: JobRecord,
    slot: BuilderSlot,
    sub: Submission,
    hash: Hex | undefined,
    arrivedAt: number,
  ): SubmitResult {
    if (hash === undefined || hash !== sub.executionPayload.blockHash.toLowerCase()) {
      // A block whose hash does not match its header is invalid, not merely late or mistargeted.
      this.#o.gate.breaker(builder).recordInvalid(this.#now())
      return this.#reject(builder, sub, 'bad_block_hash')
    }
    // The hash may have been computed off-thread: the job can have moved on meanwhile.
    if (this.#current !== rec) return this.#reject(builder, sub, 'unknown_job')
    if (rec.sealed) return this.#reject(builder, sub, 'job_sealed')
    if (slot.hashes.has(hash)) return this.#reject(builder, sub, 'duplicate_block')
    // Again after an off-thread hash: a higher sequence may have been accepted meanwhile.
    if (sub.sequence !== undefined && slot.sequence !== undefined && sub.sequence <= slot.sequence)
      return this.#reject(builder, sub, 'stale_sequence')
    if (sub.sequence !== undefined) slot.sequence = sub.sequence
    slot.hashes.add(hash)
    const c: Candidate = {
      builder,
      submission: sub,
      blockHash: hash,
      blockValue: BigInt(sub.blockValue),
      gasUsed: BigInt(sub.executionPayload.gasUsed),
      engineVersion: rec.job.engineVersion,
      seq: ++seq,
      receivedAt: arrivedAt,
    }
    if (slot.waiting) this.#outcome(rec, slot.waiting, false, 'superseded', 0)
    slot.waiting = c
    const result: SubmitResult = { status: 'accepted' }
    this.#o.events.emit('submission', { builder, jobId: sub.jobId, result, blockHash: c.blockHash })
    // Validation starts after the answer is on its way: the builder never waits for the engine.
    queueMicrotask(() => this.#pump(rec, slot))
    return result
  }

  /** Ends the job: no more submissions; the validated candidates, one per builder, for selection. */
  seal(jobId: Hex): Candidate[] {
    const rec = this.#current
    if (!rec || rec.job.jobId !== jobId) return []
    rec.sealed = true
    rec.abort.abort(SEALED)
    const out: Candidate[] = []
    for (const slot of rec.builders.values()) if (slot.candidate) out.push(slot.candidate)
    return out
  }

  /** Validated candidates of the current job right now (for status/inspection). */
  candidates(): Candidate[] {
    const out: Candidate[] = []
    for (const slot of this.#current?.builders.values() ?? []) if (slot.candidate) out.push(slot.candidate)
    return out
  }

  #pump(rec: JobRecord, slot: BuilderSlot): void {
    if (slot.validating || !slot.waiting) return
    const c = slot.waiting
    slot.waiting = undefined
    if (rec.sealed || this.#current !== rec) {
      this.#outcome(rec, c, false, 'validated_too_late', 0)
      return
    }
    slot.validating = c
    const started = performance.now()
    this.#o.validate(c, rec.job, rec.abort.signal).then(
      (r) => this.#done(rec, slot, c, r, (performance.now() - started) / 1000),
      (err: unknown) =>
        this.#done(
          rec,
          slot,
          c,
          { status: 'error', error: (err as Error)?.message ?? String(err) },
          (performance.now() - started) / 1000,
        ),
    )
  }

  #done(rec: JobRecord, slot: BuilderSlot, c: Candidate, r: ValidationResult, seconds: number): void {
    slot.validating = undefined
    const breaker = this.#o.gate.breaker(c.builder)
    if (r.status === 'VALID') {
      breaker.recordValid()
      if (rec.sealed || this.#current !== rec) this.#outcome(rec, c, false, 'validated_too_late', seconds)
      else {
        slot.candidate = c
        this.#outcome(rec, c, true, undefined, seconds)
      }
    } else if (r.status === 'INVALID' || r.status === 'INVALID_BLOCK_HASH') {
      breaker.recordInvalid(this.#now())
      this.#outcome(rec, c, false, 'invalid_block', seconds)
    } else if (r.status === 'error') {
      this.#outcome(
        rec,
        c,
        false,
        rec.sealed || this.#current !== rec ? 'validated_too_late' : 'validation_error',
        seconds,
      )
    } else {
      this.#outcome(rec, c, false, 'not_validated', seconds)
    }
    this.#pump(rec, slot)
  }

  #outcome(rec: JobRecord, c: Candidate, valid: boolean, reason: RejectionReason | undefined, seconds: number): void {
    const ev = { builder: c.builder, jobId: rec.job.jobId, blockHash: c.blockHash, valid, seconds }
    this.#o.events.emit('validated', reason === undefined ? ev : { ...ev, reason })
  }
}
