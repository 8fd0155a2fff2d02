import {
  ConflictError,
  FutureDataError,
  OutOfScopeError,
  UninitializedError,
  UnknownChainError,
} from '../errors/index.js'
import { type Access, EXPIRY_WINDOW_S, type SafetyLevel, timingViolation } from '../interop/index.js'
import type { Backend } from './backend.js'
import { type CheckResult, fail, OK } from './checkResult.js'
import type { ExecutingDescriptor } from './descriptor.js'
import { drive, type MaybePromise, wait } from './maybePromise.js'
import { type CheckRules, DEFAULT_RULES } from './rules.js'

/** A descriptor whose chainID may be missing (legacy format, `rules.allowMissingChainId`). */
export type CheckDescriptor = Omit<ExecutingDescriptor, 'chainId'> & { chainId: bigint | undefined }

/**
 * The core check: may every access be executed on `descriptor.chainId` at `descriptor.timestamp`
 * (and still at timestamp + timeout), reading initiating messages at `minSafety` or better?
 * Answers the first failing access, checking each access in this order:
 *
 * 1. executing chain configured, else -320501 (only when there is an access to check, as op-supervisor;
 *    skipped for a legacy descriptor without chainID);
 * 2. timing (exec > init, or ≥ with `allowSameTimestamp`; not expired at exec + timeout; 7-day
 *    window), else -320600;
 * 3. source chain configured, else -320501;
 * 4. initiating message after the source chain's activation block (`rules.activation`), else -320600;
 * 5. source chain ready (backfill done), else -320400;
 * 6. block not beyond the chain's head, else -321100 "timestamp T not yet ingested (min ingested: H)"
 *    as op-interop-filter answers (transient: callers keep the tx);
 * 7. the log exists with the same block timestamp and checksum, else -320600;
 * 8. the block has reached `minSafety`: cross-unsafe → -321100 "message at timestamp T not yet
 *    cross-unsafe validated (current cross-validated timestamp: C)" (the filter's answer); safe /
 *    finalized (which the filter does not serve) → -321401. Both retryable: a block that is not
 *    cross-unsafe yet usually is a second later.
 *
 * Failsafe, minSafety and parameter parsing come before this, in checkRequest. Synchronous when
 * the backend is (see maybePromise.ts).
 */
export function checkAccesses(
  backend: Backend,
  accesses: readonly Access[],
  minSafety: SafetyLevel,
  descriptor: CheckDescriptor,
  rules: CheckRules = DEFAULT_RULES,
): MaybePromise<CheckResult> {
  return drive(steps(backend, accesses, minSafety, descriptor, rules))
}

function* steps(
  backend: Backend,
  accesses: readonly Access[],
  minSafety: SafetyLevel,
  d: CheckDescriptor,
  rules: CheckRules,
): Generator<unknown, CheckResult, unknown> {
  if (accesses.length === 0) return OK
  if (d.chainId !== undefined && !backend.hasChain(d.chainId))
    return fail(new UnknownChainError(`executing chain ${d.chainId}`))
  for (const a of accesses) {
    const late = timingViolation(d.timestamp, d.timeout, a.timestamp, EXPIRY_WINDOW_S, rules.allowSameTimestamp)
    if (late !== undefined) return fail(new ConflictError(late))
    const chain = a.chainId
    if (!backend.hasChain(chain)) return fail(new UnknownChainError(`initiating chain ${chain}`))
    const activatedAt = rules.activation?.get(chain)
    if (activatedAt !== undefined && a.timestamp <= activatedAt)
      return fail(
        new ConflictError(
          `initiating message on chain ${chain} at timestamp ${a.timestamp} is not after the Lagoon activation block`,
        ),
      )
    if (!backend.isReady(chain)) return fail(new UninitializedError(`chain ${chain} is not indexed yet`))
    const head = yield* wait(backend.latest(chain, a.blockNumber))
    if (head === undefined || a.blockNumber > head) {
      const heads = yield* wait(backend.heads(chain))
      return fail(
        new OutOfScopeError(
          `timestamp ${a.timestamp} not yet ingested (min ingested: ${heads.unsafe?.timestamp ?? 0n})`,
        ),
      )
    }
    const log = yield* wait(backend.findLog(chain, a.blockNumber, a.logIndex))
    if (log === 'no-block')
      return fail(new FutureDataError(`block ${a.blockNumber} of chain ${chain} is not available`))
    if (log === 'no-log')
      return fail(new ConflictError(`no log ${a.logIndex} in block ${a.blockNumber} of chain ${chain}`))
    if (log.timestamp !== a.timestamp)
      return fail(
        new ConflictError(
          `timestamp mismatch: block ${a.blockNumber} of chain ${chain} has timestamp ${log.timestamp}, message says ${a.timestamp}`,
        ),
      )
    if (!sameBytes(log.checksum, a.checksum))
      return fail(
        new ConflictError(`checksum mismatch for log ${a.logIndex} in block ${a.blockNumber} of chain ${chain}`),
      )
    if (minSafety !== 'unsafe' && !(yield* wait(backend.reached(chain, a.blockNumber, minSafety)))) {
      if (minSafety !== 'cross-unsafe')
        return fail(new FutureDataError(`block ${a.blockNumber} of chain ${chain} is not ${minSafety} yet`))
      const heads = yield* wait(backend.heads(chain))
      return fail(
        new OutOfScopeError(
          `message at timestamp ${a.timestamp} not yet cross-unsafe validated (current cross-validated timestamp: ${heads.crossUnsafe?.timestamp ?? 0n})`,
        ),
      )
    }
  }
  return OK
}

// Decoding target for the message's checksum; reused, the compare is synchronous.
const scratch = Buffer.alloc(32)

/** bytes equals the hex string's bytes (as `bytes.equals(hexToBytes(hex))`, without a buffer per check). */
function sameBytes(bytes: Buffer, hex: string): boolean {
  const digits = hex.startsWith('0x') ? hex.slice(2) : hex
  if (digits.length > 64) return bytes.equals(Buffer.from(digits, 'hex'))
  const n = scratch.write(digits, 'hex')
  return n === bytes.length && bytes.compare(scratch, 0, n) === 0
}
