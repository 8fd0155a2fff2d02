import { type LevelWithSilent, type Logger, pino } from 'pino'

export type { Logger }

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/**
 * JSON logs (pino), one logger per process; roles take children with `{role}`. stdout by default;
 * `fd: 2` for commands whose stdout carries a report or a story (sweep --json, devnet).
 */
export function createLogger(level: LevelWithSilent = 'info', opts: { name?: string; fd?: 1 | 2 } = {}): Logger {
  return pino({ name: opts.name ?? 'superguard', level, base: { pid: process.pid } }, pino.destination(opts.fd ?? 1))
}
