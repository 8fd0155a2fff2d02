import type { MethodTable, RpcMethod } from '../../rpc/index.js'
import { checkAccessList } from './checkAccessList.js'
import type { MethodContext } from './context.js'
import { crossSafe } from './crossSafe.js'
import { finalized } from './finalized.js'
import { getBlockHashByNumber } from './getBlockHashByNumber.js'
import { getFailsafeEnabled } from './getFailsafeEnabled.js'
import { getPassthroughEnabled } from './getPassthroughEnabled.js'
import { localUnsafe } from './localUnsafe.js'
import { setFailsafeEnabled } from './setFailsafeEnabled.js'
import { syncStatus } from './syncStatus.js'
import { validateMessagesV2 } from './validateMessagesV2.js'

export type { MethodContext } from './context.js'

/**
 * Every JSON-RPC method the supervisor serves, by wire name. The names are an interface:
 * op-geth calls supervisor_checkAccessList, op-reth/proxyd interop_checkAccessList, the
 * topology design doc names supervisor_validateAccessList / supervisor_validateMessagesV2.
 */
export function supervisorMethods(ctx: MethodContext): MethodTable {
  const table: [string, RpcMethod][] = [
    ['supervisor_checkAccessList', checkAccessList(ctx, 'supervisor_checkAccessList')],
    ['interop_checkAccessList', checkAccessList(ctx, 'interop_checkAccessList')],
    ['supervisor_validateAccessList', checkAccessList(ctx, 'supervisor_validateAccessList')],
    ['supervisor_validateMessagesV2', validateMessagesV2(ctx, 'supervisor_validateMessagesV2')],
    ['supervisor_checkMessagesV2', validateMessagesV2(ctx, 'supervisor_checkMessagesV2')],
    ['supervisor_syncStatus', syncStatus(ctx)],
    ['supervisor_localUnsafe', localUnsafe(ctx)],
    ['supervisor_crossSafe', crossSafe(ctx)],
    ['supervisor_finalized', finalized(ctx)],
    ['interop_getBlockHashByNumber', getBlockHashByNumber(ctx)],
    ['admin_getFailsafeEnabled', getFailsafeEnabled(ctx)],
    ['admin_getPassthroughEnabled', getPassthroughEnabled(ctx)],
  ]
  // Without --admin-port the setter stays where it was (the public port, behind the admin JWT).
  if (!ctx.adminListener) table.push(['admin_setFailsafeEnabled', setFailsafeEnabled(ctx)])
  return new Map(table)
}

/** The admin listener's methods (--admin-port), every one behind the admin JWT as op-interop-filter's admin server. */
export function supervisorAdminMethods(ctx: MethodContext): MethodTable {
  return new Map<string, RpcMethod>([
    ['admin_getFailsafeEnabled', getFailsafeEnabled(ctx, true)],
    ['admin_getPassthroughEnabled', getPassthroughEnabled(ctx, true)],
    ['admin_setFailsafeEnabled', setFailsafeEnabled(ctx)],
  ])
}
