import { checkRequest } from '../../check/checkRequest.js'
import type { RpcMethod } from '../../rpc/index.js'
import { parseInboxEntries } from '../parseInboxEntries.js'
import { answer } from './answer.js'
import type { MethodContext } from './context.js'

/**
 * `supervisor_checkAccessList(inboxEntries, minSafety, executingDescriptor)` → null or error
 * (also `interop_checkAccessList`, `supervisor_validateAccessList`). The entries are the
 * CrossL2Inbox storage keys of a transaction's access list, joined in order.
 */
export function checkAccessList(ctx: MethodContext, method: string): RpcMethod {
  return (params) => {
    return answer(
      ctx,
      method,
      checkRequest(ctx, () => parseInboxEntries(params[0]), params[1], params[2]),
    )
  }
}
