import type { RpcMethod } from '../../rpc/index.js'
import type { MethodContext } from './context.js'
import { requireAdmin } from './requireAdmin.js'

const METHOD = 'admin_getPassthroughEnabled'

/**
 * `admin_getPassthroughEnabled()` → boolean: whether --dangerously-enable-passthrough is on.
 * Read-only, public on the public port and JWT-gated on the admin listener (optimism#21939).
 */
export function getPassthroughEnabled(ctx: MethodContext, authenticated = false): RpcMethod {
  return (_params, rpc) => {
    if (authenticated) requireAdmin(ctx, rpc, METHOD)
    return ctx.passthrough === true
  }
}
