import { builderSpec } from '../builder/options.js'
import { startBuilder } from '../builder/start.js'
import { serviceCommand } from './serve.js'

export const command = serviceCommand({
  summary: 'reference PBS builder (own mempool, fee policy, early submit and resubmission)',
  usage: 'superguard builder --sequencer URL --jwt-secret FILE --engine URL[,jwt=FILE] [options]',
  description: [
    'Reference PBS builder: takes jobs from the sequencer (builder_startBuilding), builds from its own',
    'mempool (eth_sendRawTransaction) by fee, submits at once and resubmits better blocks until the',
    'deadline. Pairs with an engine-sim that follows the chain.',
  ].join('\n'),
  spec: builderSpec,
  start: (config, logger) => startBuilder(config, { logger }),
})
