import type { Logger } from 'pino'
import type { ExecutionPayloadV3, ForkchoiceStateV1, Hex, PayloadAttributesV3 } from '../engine/types.js'
import type { EngineVersion, GetPayloadVersion, ParentRef, Submission, SubmitResult } from '../pbs/index.js'
import type { RpcClient } from '../rpc/client.js'
import { BoundedMap } from '../util/boundedMap.js'
import type { BlockHasher } from './blockHasher.js'
import type { EngineBuilderClient, PbsBuilderClient } from './builderClient.js'
import { BuilderGate } from './builderGate.js'
import type { CircuitBreakerOptions } from './circuitBreaker.js'
import { engineValidator } from './engineValidator.js'
import type { SequencerEvents } from './events.js'
import { createJob, JobBook } from './job.js'
import { type Selection, selectBlock } from './selection.js'
import type { JobTiming } from './timing.js'
import type { Candidate, ExecutionMode, Job } from './types.js'

/** An engine_getPayloadV3/V4 result as JSON (kept as given when the local block is used). */
export type PayloadEnvelope = {
  executionPayload: ExecutionPayloadV3
  blockValue: Hex
  blobsBundle?: unknown
  shouldOverrideBuilder?: boolean
  parentBeaconBlockRoot: Hex
  executionRequests?: Hex[]
  [extra: string]: unknown
}

export type SealOutcome = { envelope: PayloadEnvelope; selection: Selection | { source: 'local'; reason: 'no_job' } }

export type PbsCoreOptions = {
  /** Engine client reserved for builder-block validation (its own sockets, off op-node's path). */
  validationEngine: RpcClient
  builders: readonly PbsBuilderClient[]
  builderEngines: readonly EngineBuilderClient[]
  events: SequencerEvents
  log: Logger
  mode: ExecutionMode
  minGasRatio: number
  maxTxs: number
  maxBlockBytes?: number | undefined
  maxSubmissionsPerJob: number
  breaker: CircuitBreakerOptions
  hasher?: BlockHasher
}

const EMPTY_BUNDLE = { commitments: [], proofs: [], blobs: [] }

/**
 * The PBS engine both modes share: start a job (announce to builders, arm the notice and deadline
 * timers), take submissions on the fast path, validate them off it, and at the seal choose among
 * what was validated by then. `seal` is synchronous: it never waits for a builder or a validation.
 */
export class PbsCore {
  readonly book: JobBook
  /** The execution mode and the builders' circuits, shared with the book. */
  readonly gate: BuilderGate
  readonly events: SequencerEvents
  readonly #o: PbsCoreOptions
  #timers: NodeJS.Timeout[] = []
  /** Block hashes already handed out for a payload id: never hand one out again (rollup-boost #306). */
  readonly #handedOut = new BoundedMap<string, true>(256)
  #closed = false

  constructor(o: PbsCoreOptions) {
    this.#o = o
    this.events = o.events
    this.gate = new BuilderGate({ mode: o.mode, breaker: o.breaker, log: o.log })
    this.book = new JobBook({
      validate: engineValidator(o.validationEngine),
      events: o.events,
      gate: this.gate,
      maxTxs: o.maxTxs,
      maxBlockBytes: o.maxBlockBytes,
      maxSubmissionsPerJob: o.maxSubmissionsPerJob,
      ...(o.hasher ? { hash: (sub: Submission, v4: boolean) => o.hasher!.hash(sub, v4) } : {}),
    })
  }

  get mode(): ExecutionMode {
    return this.gate.mode
  }

  set mode(m: ExecutionMode) {
    this.gate.mode = m
  }

  /** Builders that may take part now (configured, circuit not open). */
  builderStates(
    now = Date.now(),
  ): { id: string; url: string; kind: 'pbs' | 'engine'; ok: boolean; circuit: string; lastError?: string }[] {
    const out = []
    for (const b of [...this.#o.builders, ...this.#o.builderEngines]) {
      const circuit = this.gate.breaker(b.id).state(now)
      const s = b.health.snapshot()
      out.push({
        id: b.id,
        url: b.url,
        kind: (b.id.startsWith('engine:') ? 'engine' : 'pbs') as 'pbs' | 'engine',
        ok: s.ok && circuit !== 'open',
        circuit,
        ...(s.lastError ? { lastError: s.lastError } : {}),
      })
    }
    return out
  }

  /**
   * A new job supersedes every older one. Builders hear of it at once (fire-and-forget); in
   * `disabled` mode no builder traffic at all.
   */
  startJob(a: {
    parent: ParentRef
    attributes: PayloadAttributesV3
    timing: JobTiming
    engineVersion: EngineVersion
    /** engine_getPayloadV<n> of this block (5 after Karst); default engineVersion. */
    getPayloadVersion?: GetPayloadVersion
    payloadId: Hex | null
    forkchoiceState: ForkchoiceStateV1
  }): Job {
    this.#clearTimers()
    const now = Date.now()
    const job = createJob({
      parent: a.parent,
      attributes: a.attributes,
      deadline: a.timing.deadline,
      sealAt: a.timing.sealAt,
      engineVersion: a.engineVersion,
      getPayloadVersion: a.getPayloadVersion,
      payloadId: a.payloadId,
      now,
    })
    this.book.start(job)
    this.events.emit('job', job)
    if (this.gate.mode === 'disabled' || this.#closed) return job
    for (const b of this.#o.builders) b.startBuilding(job)
    for (const e of this.#o.builderEngines) e.startJob(job, a.forkchoiceState)
    this.#at(a.timing.noticeAt, () => {
      for (const b of this.#o.builders) b.deadline(job)
      for (const e of this.#o.builderEngines) void this.#pull(e, job)
    })
    this.#at(job.deadline, () => this.events.emit('deadline', job))
    return job
  }

  submit(builder: string, params: unknown): SubmitResult | Promise<SubmitResult> {
    return this.book.submit(builder, params)
  }

  /**
   * Chooses the block for `job`: the best validated builder block, else `local`. `head` is the
   * engine's current head (never handed out as a new block); `engineMs` how long the engine took to
   * hand over `local` (reported with the seal, so superguard's own share of a seal can be told apart).
   * Synchronous by design.
   */
  seal(
    job: Job | undefined,
    local: PayloadEnvelope,
    version: EngineVersion,
    head?: Hex,
    engineMs?: number,
  ): SealOutcome {
    const localHash = local.executionPayload.blockHash
    if (!job || this.book.isSealed(job.jobId) || this.book.current?.jobId !== job.jobId) {
      this.#remember(localHash)
      this.events.emit('sealed', {
        jobId: job?.jobId,
        source: 'local',
        reason: 'no_job',
        blockHash: localHash,
        number: BigInt(local.executionPayload.blockNumber),
        ...(engineMs !== undefined ? { engineMs } : {}),
      })
      return { envelope: local, selection: { source: 'local', reason: 'no_job' } }
    }
    this.#clearTimers()
    const candidates = this.book.seal(job.jobId)
    const known = new Set(this.#handedOut.keys())
    if (head) known.add(head.toLowerCase())
    known.delete(localHash.toLowerCase())
    const selection = selectBlock({
      mode: this.gate.mode,
      candidates,
      localGasUsed: BigInt(local.executionPayload.gasUsed),
      version,
      minGasRatio: this.#o.minGasRatio,
      knownHashes: known,
    })
    const envelope = selection.source === 'builder' ? envelopeOf(selection.candidate, version) : local
    const hash = envelope.executionPayload.blockHash
    this.#remember(hash)
    this.events.emit('sealed', {
      jobId: job.jobId,
      source: selection.source,
      reason: selection.reason,
      blockHash: hash,
      number: BigInt(envelope.executionPayload.blockNumber),
      ...(selection.source === 'builder' ? { builder: selection.candidate.builder } : {}),
      deadlineToSealMs: Date.now() - job.deadline,
      ...(engineMs !== undefined ? { engineMs } : {}),
    })
    return { envelope, selection }
  }

  close(): void {
    this.#closed = true
    this.#clearTimers()
  }

  #remember(hash: Hex): void {
    this.#handedOut.add(hash.toLowerCase(), true)
  }

  async #pull(e: EngineBuilderClient, job: Job): Promise<void> {
    const got = await e.pull(job, job.deadline)
    if (!got || this.book.current?.jobId !== job.jobId) return
    try {
      await this.submit(e.id, got)
    } catch (err) {
      this.#o.log.debug({ builder: e.id, err: (err as Error).message }, 'engine builder payload malformed')
    }
  }

  #at(when: number, fn: () => void): void {
    const t = setTimeout(fn, Math.max(0, when - Date.now()))
    this.#timers.push(t)
  }

  #clearTimers(): void {
    for (const t of this.#timers) clearTimeout(t)
    this.#timers = []
  }
}

/** A builder block as the engine_getPayload envelope op-node expects (no blobs on OP). */
export function envelopeOf(c: Candidate, version: EngineVersion): PayloadEnvelope {
  const s = c.submission
  const env: PayloadEnvelope = {
    executionPayload: s.executionPayload,
    blockValue: s.blockValue,
    blobsBundle: EMPTY_BUNDLE,
    shouldOverrideBuilder: false,
    parentBeaconBlockRoot: s.parentBeaconBlockRoot,
  }
  if (version === 4) env.executionRequests = s.executionRequests ?? []
  return env
}
