import type { RpcMethod } from '../rpc/jsonrpc.js'
import { verifyJwt } from '../rpc/jwt.js'
import type { Authorize } from '../rpc/server.js'
import { unauthorized } from './auth.js'
import { InvalidExecutionModeError } from './errors.js'
import { EXECUTION_MODES, type ExecutionMode } from './types.js'

/** CLI spelling (dry-run) or JSON spelling (dry_run) → the JSON spelling. */
export function parseExecutionMode(v: unknown): ExecutionMode {
  const s = typeof v === 'string' ? v.replace('-', '_') : v
  if (EXECUTION_MODES.includes(s as ExecutionMode)) return s as ExecutionMode
  throw new InvalidExecutionModeError(v)
}

/**
 * rollup-boost's debug API: `debug_setExecutionMode([{execution_mode}])` → `{execution_mode}`,
 * `debug_getExecutionMode()` → `{execution_mode}`. The older bare-string param is accepted too.
 */
export function executionModeMethods(
  get: () => ExecutionMode,
  set: (m: ExecutionMode) => void,
): Map<string, RpcMethod> {
  return new Map<string, RpcMethod>([
    ['debug_getExecutionMode', () => ({ execution_mode: get() })],
    [
      'debug_setExecutionMode',
      (params) => {
        const p = params[0]
        const given = p !== null && typeof p === 'object' ? (p as Record<string, unknown>).execution_mode : p
        set(parseExecutionMode(given))
        return { execution_mode: get() }
      },
    ],
  ])
}

/** Debug methods anyone who reaches the listener may call; every other one needs the debug JWT. */
const OPEN_DEBUG_METHODS: ReadonlySet<string> = new Set(['debug_getExecutionMode'])

/**
 * The debug listener's auth, decided per parsed call (a batch is refused whole if any call is):
 * debug_setExecutionMode changes what the sequencer seals, so it needs an HS256 JWT signed with
 * --debug-jwt-secret; without that option it is refused outright. rollup-boost's debug server has
 * no auth at all and relies on binding 127.0.0.1:5555; the refusal here is the builder API's:
 * HTTP 401, JSON-RPC -32000 "unauthorized: <reason>".
 */
export function debugAuthorize(secret: Buffer | undefined, onRefuse?: (method: string) => void): Authorize {
  return (method, ctx) => {
    if (OPEN_DEBUG_METHODS.has(method)) return undefined
    const reason = secret ? verifyJwt(secret, ctx.headers.authorization) : `${method} needs --debug-jwt-secret`
    if (reason === undefined) return undefined
    onRefuse?.(method)
    return { status: 401, contentType: 'application/json', body: unauthorized(reason) }
  }
}
