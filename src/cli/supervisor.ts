import { startSupervisor } from '../supervisor/index.js'
import { supervisorOptions } from '../supervisor/options.js'
import { serviceCommand } from './serve.js'

// The bound address goes to the log ("supervisor listening", field url): with --port 0 that is how callers find it.
export const command = serviceCommand({
  role: 'supervisor',
  summary: 'light supervisor backend (log index or RPC light mode)',
  usage: 'superguard supervisor --rpc URL [--rpc URL ...] [options]',
  description: 'Light supervisor: checks interop messages (supervisor_checkAccessList and friends) against a SQLite log index of every chain, or against the chains\' RPC (--backend rpc).',
  options: supervisorOptions,
  start: (config, logger) => startSupervisor(config, { logger }),
})
