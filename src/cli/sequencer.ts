import { ConfigError, formatHelp, loadConfig } from '../config/index.js'
import { EndpointError } from '../sequencer/endpoint.js'
import { sequencerOptions } from '../sequencer/options.js'
import { startSequencer } from '../sequencer/sequencer.js'
import { createLogger } from '../util/logger.js'
import { onShutdown } from '../util/shutdown.js'
import type { Command } from './command.js'

const USAGE = 'superguard sequencer --engine URL[,jwt=FILE] (--jwt-secret FILE | --block-time DURATION) [--builder URL,jwt=FILE ...] [options]'
const SUMMARY = [
  'PBS sequencer. Builders get each job (payload attributes and deadline) and push blocks whenever',
  'they like; at the deadline the best valid builder block is used, else the engine\'s own block.',
  'Proxy mode (default): op-node points its engine URL at --listen-engine. Standalone mode',
  '(--block-time): our own clock drives the engine and publishes to --replica engines.',
].join('\n')

export const command: Command = {
  summary: 'PBS sequencer: Engine API proxy or standalone clock, builder API, block selection',
  async run(argv, env) {
    const { config, help } = loadConfig('sequencer', sequencerOptions, { argv, env })
    if (help) {
      process.stdout.write(formatHelp(USAGE, SUMMARY, sequencerOptions))
      return
    }
    const logger = createLogger(config.logLevel)
    let seq
    try {
      // The bound URLs go to the log ("sequencer started"): with port 0 that is how callers find them.
      seq = await startSequencer(config, { logger })
    } catch (err) {
      if (err instanceof EndpointError) throw new ConfigError('sequencer', [err.message])
      throw err
    }
    const s = seq
    await new Promise<void>((resolve) => onShutdown(logger, async () => { await s.close(); resolve() }))
  },
}
