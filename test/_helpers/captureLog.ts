import { type Logger, pino } from 'pino'

export type LogLine = { level: number; msg: string; [field: string]: unknown }

/**
 * A pino logger whose lines land in `lines`, parsed, as an operator's log collector sees them
 * (`onLine` sees each as it is written): how the fault tests count warnings.
 */
export function captureLog(onLine: (l: LogLine) => void = () => {}): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = []
  const logger = pino(
    { level: 'info' },
    {
      write: (s: string) => {
        const l = JSON.parse(s) as LogLine
        lines.push(l)
        onLine(l)
      },
    },
  )
  return { logger, lines }
}
