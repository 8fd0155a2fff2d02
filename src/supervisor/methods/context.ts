import type { Logger } from 'pino'
import type { Backend } from '../../check/backend.js'
import type { CheckRules } from '../../check/rules.js'
import type { Failsafe } from '../failsafe.js'
import type { SupervisorMetrics } from '../metrics.js'

/** What every supervisor JSON-RPC method may use. */
export type MethodContext = {
  backend: Backend
  failsafe: Failsafe
  logger: Logger
  metrics?: SupervisorMetrics
  /** HS256 secret for admin_setFailsafeEnabled (and every admin_* on the admin listener); without one it answers -32601. */
  adminSecret?: Buffer
  /** --admin-port is set: admin_setFailsafeEnabled is served there only, not on the public port. */
  adminListener?: boolean
  /** --dangerously-enable-passthrough. */
  passthrough?: boolean
  rules?: CheckRules
}
