import { formatHelp, loadConfig } from '../config/index.js'
import { ingressOptions } from '../ingress/config.js'
import { createLogger } from '../util/logger.js'
import { onShutdown } from '../util/shutdown.js'
import type { Command } from './command.js'

const SUMMARY = [
  'Validating transaction ingress (proxyd\'s interop role, plus the PBS fan-out). Interop transactions',
  '(CrossL2Inbox access-list entries) are checked against the supervisors before they are sent to the',
  'upstream execution engine (whose answer is returned) and to every builder.',
].join('\n')

export const command: Command = {
  summary: 'validating transaction ingress',
  async run(argv, env) {
    const { config, help } = loadConfig('ingress', ingressOptions, { argv, env })
    if (help) {
      process.stdout.write(formatHelp('superguard ingress --upstream URL --supervisor URL [--supervisor URL ...] [options]', SUMMARY, ingressOptions))
      return
    }
    const logger = createLogger(config.logLevel)
    const { startIngress } = await import('../ingress/index.js')
    const ingress = await startIngress(config, { logger })
    await new Promise<void>((resolve) => onShutdown(logger, async () => { await ingress.close(); resolve() }))
  },
}
