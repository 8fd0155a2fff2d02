import type { Logger } from 'pino'
import type { SenderRecovery } from '../engine/senderRecovery.js'
import { signingData } from '../engine/signingData.js'
import {
  AccessListOutOfBoundsError,
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

  constructor(opts: InteropValidatorOptions) {
    this.#o = opts
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
    this.#o.log.debug(
      { tx: tx.hash, code: verdict.error.rpcCode, err: verdict.error.message, result: verdict.result, strategy },
      'interop transaction rejected',
    )
    return { ok: false, error: verdict.error }
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
