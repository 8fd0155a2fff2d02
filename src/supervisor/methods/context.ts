import type { Logger } from 'pino'
import type { Backend } from '../../check/backend.js'
import type { Failsafe } from '../failsafe.js'
import type { SupervisorMetrics } from '../metrics.js'

/** What every supervisor JSON-RPC method may use. */
export type MethodContext = {
  backend: Backend
  failsafe: Failsafe
  logger: Logger
  metrics?: SupervisorMetrics
  /** HS256 secret for admin_* methods; without one they answer -32601 (disabled). */
  adminSecret?: Buffer
}
