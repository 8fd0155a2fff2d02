import type { CheckResult } from '../../check/checkResult.js'
import { type MaybePromise, then } from '../../check/maybePromise.js'
import type { MethodContext } from './context.js'

/** The RPC boundary of a check: records the metric, then `null` for valid or throws the error. */
export function answer(ctx: MethodContext, method: string, result: MaybePromise<CheckResult>): MaybePromise<null> {
  return then(result, (r) => {
    ctx.metrics?.check(method, r.ok ? 0 : r.error.rpcCode)
    if (!r.ok) throw r.error
    return null
  })
}
