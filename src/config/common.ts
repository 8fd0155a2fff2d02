import { LOG_LEVELS } from '../util/logger.js'
import { defineOptions } from './options.js'

/** Options every listening role has; roles spread these into their own spec and override defaults. */
export const listenOptions = defineOptions({
  host: { type: 'string', default: '127.0.0.1', help: 'address to listen on' },
  logLevel: { type: 'enum', choices: LOG_LEVELS, default: 'info', help: 'log level' },
})
