import type { Logger } from 'pino'
import { ConfigError, formatHelp, loadConfig, type ConfigOf, type OptionsSpec } from '../config/index.js'
import type { LevelWithSilent } from 'pino'
import { createLogger } from '../util/logger.js'
import { onShutdown } from '../util/shutdown.js'
import type { Command } from './command.js'

export type ServiceDefinition<T extends OptionsSpec> = {
  role: string
  /** One line for `superguard --help`. */
  summary: string
  usage: string
  /** A paragraph for `superguard <role> --help`. */
  description: string
  options: T
  start(config: ConfigOf<T>, logger: Logger): Promise<{ close(): Promise<void> }>
  /** Start-up failures that are really configuration mistakes: reported like a bad flag (exit 2). */
  isConfigError?: (err: unknown) => boolean
}

/**
 * The shape every long-running role shares: options validated once, --help from the same spec,
 * one logger, start, then run until SIGINT/SIGTERM closes it.
 */
export function serviceCommand<const T extends OptionsSpec>(def: ServiceDefinition<T>): Command {
  return {
    summary: def.summary,
    async run(argv, env) {
      const { config, help } = loadConfig(def.role, def.options, { argv, env })
      if (help) {
        process.stdout.write(formatHelp(def.usage, def.description, def.options))
        return
      }
      const logger = createLogger((config as { logLevel?: LevelWithSilent }).logLevel ?? 'info')
      let service: { close(): Promise<void> }
      try {
        service = await def.start(config, logger)
      } catch (err) {
        if (def.isConfigError?.(err)) throw new ConfigError(def.role, [(err as Error).message])
        throw err
      }
      await new Promise<void>((resolve) => onShutdown(logger, async () => { await service.close(); resolve() }))
    },
  }
}
