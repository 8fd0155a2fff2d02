import { FailsafeEnabledError, InternalError, InvalidParamsError, ServiceError } from '../errors/index.js'
import type { Access } from '../interop/index.js'
import type { Backend } from './backend.js'
import { checkAccesses } from './checkAccesses.js'
import { type CheckResult, fail, OK } from './checkResult.js'
import { parseDescriptor } from './descriptor.js'
import type { MaybePromise } from './maybePromise.js'
import { parseMinSafety } from './minSafety.js'
import type { CheckRules } from './rules.js'

export type CheckContext = {
  backend: Backend
  failsafe: { readonly enabled: boolean }
  /** --dangerously-enable-passthrough: every check answers valid without looking. */
  passthrough?: boolean
  rules?: CheckRules
}

/**
 * One check request, from raw JSON-RPC params to a verdict, shared by checkAccessList and
 * validateMessagesV2 (they differ only in `parseAccesses`). Order, as op-interop-filter's
 * backend.go: passthrough (valid without looking), failsafe (-320602) before
 * anything; minSafety (-32602); every access parsed before any is checked, so a malformed entry
 * anywhere is -32602 "failed to read data: …" and never a partial verdict; the descriptor
 * (-32602); then checkAccesses. Never throws: a backend failure (RPC down) becomes -32603,
 * which proxyd's agreement strategy counts as no answer rather than a verdict.
 */
export function checkRequest(
  ctx: CheckContext,
  parseAccesses: () => Access[],
  rawMinSafety: unknown,
  rawDescriptor: unknown,
): MaybePromise<CheckResult> {
  if (ctx.passthrough) return OK
  if (ctx.failsafe.enabled) return fail(new FailsafeEnabledError())
  let result: MaybePromise<CheckResult>
  try {
    const minSafety = parseMinSafety(rawMinSafety)
    const accesses = parseAccesses()
    const descriptor = parseDescriptor(rawDescriptor, ctx.rules?.allowMissingChainId === true)
    result = checkAccesses(ctx.backend, accesses, minSafety, descriptor, ctx.rules)
  } catch (err) {
    return fail(asServiceError(err))
  }
  return result instanceof Promise ? result.catch((err: unknown) => fail(asServiceError(err))) : result
}

function asServiceError(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err
  return new InternalError({ cause: err })
}

/** Wraps a codec error as the -32602 op-supervisor and proxyd answer for unparseable input. */
export function readError(err: unknown): InvalidParamsError {
  return new InvalidParamsError(`failed to read data: ${(err as Error).message}`, { cause: err })
}
