import { formatHelp, loadConfig } from '../config/index.js'
import { startSupervisor } from '../supervisor/index.js'
import { supervisorOptions } from '../supervisor/options.js'
import { createLogger } from '../util/logger.js'
import { onShutdown } from '../util/shutdown.js'
import type { Command } from './command.js'

const SUMMARY = 'Light supervisor: checks interop messages (supervisor_checkAccessList and friends) against a SQLite log index of every chain, or against the chains\' RPC (--backend rpc).'

export const command: Command = {
  summary: 'light supervisor backend (log index or RPC light mode)',
  async run(argv, env) {
    const { config, help } = loadConfig('supervisor', supervisorOptions, { argv, env })
    if (help) {
      process.stdout.write(formatHelp('superguard supervisor --rpc URL [--rpc URL ...] [options]', SUMMARY, supervisorOptions))
      return
    }
    const logger = createLogger(config.logLevel)
    // The bound address goes to the log ("supervisor listening", field url): with --port 0 that is how callers find it.
    const supervisor = await startSupervisor(config, { logger })
    const closed = new Promise<void>((resolve) => {
      onShutdown(logger, async () => {
        await supervisor.close()
        resolve()
      })
    })
    await closed
  },
}
