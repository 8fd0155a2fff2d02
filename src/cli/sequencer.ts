import { sequencerSpec } from '../sequencer/options.js'
import { startSequencer } from '../sequencer/start.js'
import { serviceCommand } from './serve.js'

// The bound URLs go to the log ("sequencer started"): with port 0 that is how callers find them.
export const command = serviceCommand({
  summary: 'PBS sequencer: Engine API proxy or standalone clock, builder API, block selection',
  usage:
    'superguard sequencer --engine URL[,jwt=FILE] (--jwt-secret FILE | --block-time DURATION) [--builder URL,jwt=FILE ...] [options]',
  description: [
    'PBS sequencer. Builders get each job (payload attributes and deadline) and push blocks whenever',
    "they like; at the deadline the best valid builder block is used, else the engine's own block.",
    'Proxy mode (default): op-node points its engine URL at --listen-engine. Standalone mode',
    '(--block-time): our own clock drives the engine and publishes to --replica engines.',
  ].join('\n'),
  spec: sequencerSpec,
  start: (config, logger) => startSequencer(config, { logger }),
})
