export { Failsafe } from './failsafe.js'
export { supervisorMethods, type MethodContext } from './methods/index.js'
export { SUPERVISOR_METHOD_COSTS } from './methodCosts.js'
export {
  supervisorConfig,
  supervisorOptions,
  supervisorSpec,
  type SupervisorConfig,
  type SupervisorInput,
} from './options.js'
export { startSupervisor, type Supervisor, type SupervisorDeps } from './start.js'
