import type { RpcMethod } from '../rpc/jsonrpc.js'
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
export function executionModeMethods(get: () => ExecutionMode, set: (m: ExecutionMode) => void): Map<string, RpcMethod> {
  return new Map<string, RpcMethod>([
    ['debug_getExecutionMode', () => ({ execution_mode: get() })],
    ['debug_setExecutionMode', (params) => {
      const p = params[0]
      const given = p !== null && typeof p === 'object' ? (p as Record<string, unknown>).execution_mode : p
      set(parseExecutionMode(given))
      return { execution_mode: get() }
    }],
  ])
}
