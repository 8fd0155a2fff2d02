import { formatHelp, loadConfig } from '../config/index.js'
import { startDevnet } from '../devnet/devnet.js'
import { devnetOptions } from '../devnet/options.js'
import { createLogger } from '../util/logger.js'
import { onShutdown } from '../util/shutdown.js'
import type { Command } from './command.js'

const SUMMARY = 'Everything on an embedded default: two local anvil chains with a CrossL2Inbox stand-in, the light supervisor indexing both, and generated interop messages; prints every verdict. Ctrl-C stops it and every process it started.'

export const command: Command = {
  summary: 'local chains, supervisor and generated interop traffic in one command',
  async run(argv, env) {
    const { config, help } = loadConfig('devnet', devnetOptions, { argv, env })
    if (help) {
      process.stdout.write(formatHelp('superguard devnet [options]   (npm start)', SUMMARY, devnetOptions))
      return
    }
    // Service logs (JSON) go to stderr so stdout stays the readable story of the devnet.
    const logger = createLogger(config.logLevel)
    const print = (line: string) => process.stdout.write(`[devnet] ${line}\n`)
    const devnet = await startDevnet(config, logger, print)
    onShutdown(logger, () => devnet.close())
    await devnet.done
    await devnet.close()
  },
}
