import type { RpcMethod } from '../../rpc/index.js'
import type { MethodContext } from './context.js'
import { requireAdmin } from './requireAdmin.js'

const METHOD = 'admin_getFailsafeEnabled'

/**
 * `admin_getFailsafeEnabled()` → boolean. Public (no token) on the public port, as
 * op-interop-filter serves it since optimism#19304: proxyd and op-reth poll it every second.
 * On the admin listener (`authenticated`) it takes the admin JWT like every method there.
 */
export function getFailsafeEnabled(ctx: MethodContext, authenticated = false): RpcMethod {
  return (_params, rpc) => {
    if (authenticated) requireAdmin(ctx, rpc, METHOD)
    return ctx.failsafe.enabled
  }
}
