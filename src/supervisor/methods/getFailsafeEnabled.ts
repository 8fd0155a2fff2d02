import type { RpcMethod } from '../../rpc/index.js'
import type { MethodContext } from './context.js'
import { requireAdmin } from './requireAdmin.js'

const METHOD = 'admin_getFailsafeEnabled'

/** `admin_getFailsafeEnabled()` → boolean. Clients poll it about once a second: one HMAC and a read. */
export function getFailsafeEnabled(ctx: MethodContext): RpcMethod {
  return (_params, rpc) => {
    requireAdmin(ctx, rpc, METHOD)
    return ctx.failsafe.enabled
  }
}
