import { defineOptions, loadConfig, type ConfigOf, type LoadInput } from '../config/index.js'
import { LOG_LEVELS } from '../util/logger.js'

/** `superguard devnet`: everything on an embedded default, for a first look and for smoke tests. */
export const devnetOptions = defineOptions({
  duration: { type: 'duration', help: 'stop by itself after this long (default: run until Ctrl-C)' },
  interval: { type: 'duration', default: '1s', min: 100, help: 'time between two rounds of generated messages' },
  blockTime: { type: 'int', default: 1, min: 1, max: 60, help: 'block time of the local anvil chains, in seconds' },
  dataDir: { type: 'path', arg: 'DIR', help: 'where the supervisor keeps its index (default: a fresh temporary directory, removed on exit)' },
  logLevel: { type: 'enum', choices: LOG_LEVELS, default: 'warn', help: 'log level of the embedded services (their JSON logs go to stderr)' },
})

export type DevnetConfig = ConfigOf<typeof devnetOptions>

export function devnetConfig(input: LoadInput = {}): DevnetConfig {
  return loadConfig('devnet', devnetOptions, input).config
}
