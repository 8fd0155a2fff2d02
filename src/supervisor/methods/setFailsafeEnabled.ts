import { InvalidParamsError } from '../../errors/index.js'
import type { RpcMethod } from '../../rpc/index.js'
import type { MethodContext } from './context.js'
import { requireAdmin } from './requireAdmin.js'

const METHOD = 'admin_setFailsafeEnabled'

/** What the client sent, by kind: JSON.stringify of a value nested 60k deep overflows the stack (-32603). */
const kindOf = (v: unknown) =>
  v === undefined
    ? 'nothing'
    : v === null
      ? 'null'
      : Array.isArray(v)
        ? 'an array'
        : typeof v === 'object'
          ? 'an object'
          : `a ${typeof v}`

/** `admin_setFailsafeEnabled(enabled: boolean)` → null. While on, every check answers -320602. */
export function setFailsafeEnabled(ctx: MethodContext): RpcMethod {
  return (params, rpc) => {
    requireAdmin(ctx, rpc, METHOD)
    const enabled = params[0]
    if (typeof enabled !== 'boolean')
      throw new InvalidParamsError(`${METHOD} expects one boolean, got ${kindOf(enabled)}`)
    if (enabled !== ctx.failsafe.enabled)
      ctx.logger.warn({ failsafe: enabled }, enabled ? 'failsafe enabled: rejecting every check' : 'failsafe disabled')
    ctx.failsafe.set(enabled)
    return null
  }
}
