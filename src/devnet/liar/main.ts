import { createLogger } from '../../util/logger.js'
import { startLyingSupervisor } from './lyingSupervisor.js'

/**
 * The lying-supervisor double as a process of its own (the 3x3 devnet spawns it): `node main.js
 * UPSTREAM PORT [LOG_LEVEL]`. Its own event loop, so that the devnet process's work (watching 39
 * processes) never delays a check or a switch. Exits on SIGTERM/SIGINT, and when the devnet that
 * spawned it is gone (its parent changes).
 */
const [upstream, port, level] = process.argv.slice(2)
if (!upstream || !port) {
  process.stderr.write('usage: node main.js UPSTREAM_URL PORT [LOG_LEVEL]\n')
  process.exit(2)
}
const log = createLogger((level ?? 'info') as Parameters<typeof createLogger>[0])
const liar = await startLyingSupervisor({ upstream, port: Number(port), log })
const parent = process.ppid
const stop = async () => {
  await liar.close()
  process.exit(0)
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
setInterval(() => {
  if (process.ppid !== parent) void stop()
}, 1_000).unref()
// Keeps the process alive (the server does too; this makes the intent plain).
setInterval(() => undefined, 60_000)
