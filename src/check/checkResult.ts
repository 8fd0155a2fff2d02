import type { ServiceError } from '../errors/index.js'

/** The verdict of a check. Hot paths return it; only the RPC boundary turns an error into a throw. */
export type CheckResult = { ok: true } | { ok: false; error: ServiceError }

export const OK: CheckResult = Object.freeze({ ok: true })

export function fail(error: ServiceError): CheckResult {
  return { ok: false, error }
}
