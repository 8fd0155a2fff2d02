export { Failsafe } from './failsafe.js'
export { SUPERVISOR_METHOD_COSTS } from './methodCosts.js'
export { type MethodContext, supervisorMethods } from './methods/index.js'
export {
  type SupervisorConfig,
  type SupervisorInput,
  supervisorConfig,
  supervisorOptions,
  supervisorSpec,
} from './options.js'
export { type Supervisor, type SupervisorDeps, startSupervisor } from './start.js'
