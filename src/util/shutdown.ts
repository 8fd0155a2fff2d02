import type { Logger } from 'pino'

/**
 * Runs `close` once on SIGINT/SIGTERM/SIGHUP (the terminal closed) and exits. A second signal, or
 * `close` taking longer than `timeoutMs`, exits at once with code 1 so Ctrl-C always ends the process.
 */
export function onShutdown(log: Logger, close: () => Promise<void>, timeoutMs = 10_000): void {
  let closing = false
  const handler = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1)
    closing = true
    log.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      log.error('shutdown timed out')
      process.exit(1)
    }, timeoutMs)
    timer.unref()
    close().then(
      () => {
        log.flush()
        process.exit(0)
      },
      (err: unknown) => {
        log.error({ err }, 'error during shutdown')
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', handler)
  process.once('SIGTERM', handler)
  process.once('SIGHUP', handler)
}
