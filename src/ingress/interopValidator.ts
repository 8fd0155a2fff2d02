import type { Logger } from 'pino'
import type { SenderRecovery } from '../engine/senderRecovery.js'
import { signingData } from '../engine/signingData.js'
import {
  AccessListOutOfBoundsError,
  FailsafeEnabledError,
  InvalidParamsError,
  OverSenderRateLimitError,
  RequestBodyTooLargeError,
  type ServiceError,
} from '../errors/index.js'
import {
  type Access,
  AccessListParseError,
  dedupeAccesses,
  encodeAccessList,
  type Hex,
  parseAccessList,
} from '../interop/index.js'
import { type RateLimiter, StoreUnavailableError } from '../store/index.js'
import { toQuantity } from '../util/hex.js'
import { SampledLog } from '../util/sampledLog.js'
import type { IngressTx } from './decodeRawTransaction.js'
import type { IngressMetrics } from './metrics.js'
import type { SenderRecoveryPool } from './senderRecoveryPool.js'
import type { ExecutingDescriptor, ValidationStrategy, Verdict } from './strategies/strategy.js'

/** proxyd interopExecutingDescriptorClockToleranceSeconds: clock-skew tolerance only. */
export const DESCRIPTOR_CLOCK_TOLERANCE_S = 30
/** proxyd interopExecutingDescriptorTimeoutSeconds, which matches op-reth's CHECK_ACCESS_LIST_TIMEOUT_SECS. */
export const DESCRIPTOR_TIMEOUT_S = 7200

export type InteropValidatorOptions = {
  strategy: ValidationStrategy
  chainId: bigint
  maxEntries: number
  /** Largest interop transaction, as hex text (proxyd's req_size_limit on the transaction). */
  sizeLimit: number
  /** In memory, or shared through Redis (which may refuse with StoreUnavailableError: fail closed). */
  rateLimiter?: RateLimiter | undefined
  recovery: SenderRecovery
  /** When set, recovery runs on its worker thread instead of the event loop. */
  pool?: SenderRecoveryPool | undefined
  metrics?: IngressMetrics | undefined
  /** The polled failsafe of the supervisors (FailsafeGate): while on, interop transactions are refused -320602. */
  failsafe?: { readonly on: boolean } | undefined
  log: Logger
  now?: () => number
}

/** Accepted: the de-duplicated entries the supervisor checked (what the sweep re-checks). */
export type InteropResult = { ok: true; entries: Hex[] } | { ok: false; error: ServiceError }

/**
 * The interop gate of the ingress, cheapest check first: transaction size, entry count, parse,
 * de-duplicate (no secp256k1, no network), then the per-sender rate limit (one recovery), then
 * the supervisors through the strategy. Returns a result; only a bug throws.
 */
export class InteropValidator {
  readonly #o: InteropValidatorOptions
  readonly #now: () => number
  readonly #chainId: string
  #bound: { passed: { inc(): void }; seconds: { observe(v: number): void } } | undefined

  readonly #refusals: SampledLog

  constructor(opts: InteropValidatorOptions) {
    this.#o = opts
    this.#refusals = new SampledLog(opts.log, 'interop transaction refused')
    this.#now = opts.now ?? Date.now
    this.#chainId = opts.chainId.toString(10)
  }

  async validate(raw: Hex, tx: IngressTx): Promise<InteropResult> {
    const started = performance.now()
    let verdict: Verdict
    let entries: Hex[] = tx.inboxEntries
    try {
      const cheap = this.#cheapChecks(raw, tx)
      if (cheap instanceof Error) verdict = { ok: false, result: 'filtered', error: cheap }
      else if (this.#o.failsafe?.on) verdict = { ok: false, result: 'failsafe', error: new FailsafeEnabledError() }
      else {
        entries = cheap
        verdict = (await this.#rateLimit(raw)) ?? (await this.#o.strategy.validate(entries, this.descriptor()))
      }
    } catch (err) {
      if (!(err instanceof InvalidParamsError)) throw err
      verdict = { ok: false, result: 'filtered', error: err }
    }
    const strategy = this.#o.strategy.name
    const m = this.#o.metrics
    if (m) {
      // children bound once: label hashing on every request shows in the hot path's profile
      this.#bound ??= {
        passed: m.validations.labels('passed', 'none', strategy),
        seconds: m.validationSeconds.labels(strategy),
      }
      if (verdict.ok) this.#bound.passed.inc()
      else m.validations.inc({ result: verdict.result, reason: String(verdict.error.rpcCode), strategy })
      this.#bound.seconds.observe((performance.now() - started) / 1000)
    }
    if (verdict.ok) return { ok: true, entries }
    this.#logRefusal(raw, tx, verdict.error, verdict.result)
    return { ok: false, error: verdict.error }
  }

  /**
   * Each refusal at info (sender, hash, code, reason), at most 20 lines per 10 s with a count of
   * the rest: a spammer cannot flood the log. The sender is recovered only for a line that is
   * written, after the answer (never on the refusal's path).
   */
  #logRefusal(raw: Hex, tx: IngressTx, error: ServiceError, result: string): void {
    if (!this.#refusals.wouldWrite()) {
      this.#refusals.event({})
      return
    }
    const fields = { tx: tx.hash, code: error.rpcCode, reason: error.message, result, strategy: this.#o.strategy.name }
    this.#sender(raw).then(
      (sender) => this.#refusals.event({ sender, ...fields }),
      () => this.#refusals.event({ sender: null, ...fields }),
    )
  }

  async #sender(raw: Hex): Promise<Hex | null> {
    if (this.#o.pool) return this.#o.pool.recover(raw)
    return await this.#o.recovery.recover(signingData(raw))
  }

  /** The executing descriptor proxyd sends: this chain, now + 30 s, valid for 2 h. */
  descriptor(): ExecutingDescriptor {
    const nowS = Math.floor(this.#now() / 1000)
    return {
      chainID: this.#chainId,
      timestamp: toQuantity(nowS + DESCRIPTOR_CLOCK_TOLERANCE_S),
      timeout: toQuantity(DESCRIPTOR_TIMEOUT_S),
    }
  }

  #cheapChecks(raw: Hex, tx: IngressTx): Hex[] | ServiceError {
    if (raw.length > this.#o.sizeLimit) return new RequestBodyTooLargeError()
    const n = tx.inboxEntries.length
    // Before parsing, so an oversized list costs nothing but its length.
    if (n > this.#o.maxEntries) return new AccessListOutOfBoundsError(`${n} entries, at most ${this.#o.maxEntries}`)
    let accesses: Access[]
    try {
      accesses = parseAccessList(tx.inboxEntries)
    } catch (err) {
      if (err instanceof AccessListParseError) return new InvalidParamsError(`failed to read data: ${err.message}`)
      throw err
    }
    const unique = dedupeAccesses(accesses)
    return unique.length === accesses.length ? tx.inboxEntries : encodeAccessList(unique)
  }

  async #rateLimit(raw: Hex): Promise<Verdict | undefined> {
    const limiter = this.#o.rateLimiter
    if (!limiter) return undefined
    let sender: Hex
    if (this.#o.pool) sender = await this.#o.pool.recover(raw)
    else {
      const s = this.#o.recovery.recover(signingData(raw))
      sender = typeof s === 'string' ? s : await s
    }
    let allowed: boolean
    try {
      allowed = await limiter.take(sender)
    } catch (err) {
      // --redis-fail closed: no verdict on the limit, so no transaction (proxyd's ErrInternal)
      if (err instanceof StoreUnavailableError) return { ok: false, result: 'errored', error: err }
      throw err
    }
    if (allowed) return undefined
    return { ok: false, result: 'filtered', error: new OverSenderRateLimitError() }
  }
}
