import { MethodNotFoundError, UnauthorizedError } from '../../errors/index.js'
import { type RpcContext, verifyJwt } from '../../rpc/index.js'
import type { MethodContext } from './context.js'

/**
 * Admin methods need `Authorization: Bearer <HS256 JWT>` signed with --admin-jwt-secret.
 * Without a configured secret they do not exist (-32601), so an open port never exposes them.
 */
export function requireAdmin(ctx: MethodContext, rpc: RpcContext, method: string): void {
  if (!ctx.adminSecret) throw new MethodNotFoundError(method)
  const reason = verifyJwt(ctx.adminSecret, rpc.headers.authorization)
  if (reason !== undefined) throw new UnauthorizedError(reason)
}
