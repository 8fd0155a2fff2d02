import { pino, type Logger, type LevelWithSilent } from 'pino'

export type { Logger }

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** JSON logs on stdout (pino), one logger per process; roles take children with `{role}`. */
export function createLogger(level: LevelWithSilent = 'info', name = 'superguard'): Logger {
  return pino({ name, level, base: { pid: process.pid } })
}
