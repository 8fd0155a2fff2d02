import { checkRequest } from '../../check/checkRequest.js'
import type { RpcMethod } from '../../rpc/index.js'
import { parseMessages } from '../parseMessages.js'
import { answer } from './answer.js'
import type { MethodContext } from './context.js'

/**
 * `supervisor_validateMessagesV2(messages, minSafety, executingDescriptor)` (also
 * `supervisor_checkMessagesV2`): each `{identifier, payloadHash}` becomes the access that would
 * declare it, so both methods share one code path and one set of answers.
 */
export function validateMessagesV2(ctx: MethodContext, method: string): RpcMethod {
  return (params) => {
    return answer(
      ctx,
      method,
      checkRequest(ctx, () => parseMessages(params[0]), params[1], params[2]),
    )
  }
}
