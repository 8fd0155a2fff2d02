import { ConfigError, formatHelp, loadConfig } from '../config/index.js'
import { startBuilder } from '../builder/builder.js'
import { builderOptions } from '../builder/options.js'
import { InvalidParamsError } from '../errors/index.js'
import { EndpointError } from '../sequencer/endpoint.js'
import { createLogger } from '../util/logger.js'
import { onShutdown } from '../util/shutdown.js'
import type { Command } from './command.js'

const USAGE = 'superguard builder --sequencer URL --jwt-secret FILE --engine URL[,jwt=FILE] [options]'
const SUMMARY = [
  'Reference PBS builder: takes jobs from the sequencer (builder_startBuilding), builds from its own',
  'mempool (eth_sendRawTransaction) by fee, submits at once and resubmits better blocks until the',
  'deadline. Pairs with an engine-sim that follows the chain.',
].join('\n')

export const command: Command = {
  summary: 'reference PBS builder (own mempool, fee policy, early submit and resubmission)',
  async run(argv, env) {
    const { config, help } = loadConfig('builder', builderOptions, { argv, env })
    if (help) {
      process.stdout.write(formatHelp(USAGE, SUMMARY, builderOptions))
      return
    }
    const logger = createLogger(config.logLevel)
    let b
    try {
      b = await startBuilder(config, { logger })
    } catch (err) {
      if (err instanceof EndpointError || err instanceof InvalidParamsError) throw new ConfigError('builder', [err.message])
      throw err
    }
    const h = b
    await new Promise<void>((resolve) => onShutdown(logger, async () => { await h.close(); resolve() }))
  },
}
