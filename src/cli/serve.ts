import type { LevelWithSilent, Logger } from 'pino'
import { ConfigError, type ConfigOf, formatHelp, loadConfig, type OptionsSpec, type Spec } from '../config/index.js'
import { buildInfo } from '../util/buildInfo.js'
import { createLogger } from '../util/logger.js'
import { onShutdown } from '../util/shutdown.js'
import type { Command } from './command.js'

export type ServiceDefinition<T extends OptionsSpec> = {
  /** The role's options and rules: a missing or wrong option is a ConfigError before start (exit 2). */
  spec: Spec<T>
  /** One line for `superguard --help`. */
  summary: string
  usage: string
  /** A paragraph for `superguard <role> --help`. */
  description: string
  start(config: ConfigOf<T>, logger: Logger): Promise<{ close(): Promise<void> }>
  /**
   * Start-up failures the operator must fix outside the flags (a --db that is a directory, corrupt,
   * unwritable…): one line on stderr, exit 2; the stack only in the log at --log-level debug.
   */
  isStartupError?: (err: unknown) => boolean
}

/**
 * A start-up refusal as one line (`superguard <role>: <message>`), exit 2. A ConfigError so that
 * main() reports it as it reports a bad flag, without a stack.
 */
export class StartupError extends ConfigError {
  override name = 'StartupError'
  constructor(role: string, message: string, opts: { cause?: unknown } = {}) {
    super(role, [message])
    this.message = `superguard ${role}: ${message}`
    if (opts.cause !== undefined) this.cause = opts.cause
  }
}

/**
 * The shape every long-running role shares: options validated once, --help from the same spec,
 * one logger, start, then run until SIGINT/SIGTERM closes it.
 */
export function serviceCommand<const T extends OptionsSpec>(def: ServiceDefinition<T>): Command {
  return {
    summary: def.summary,
    async run(argv, env) {
      const { config, help } = loadConfig(def.spec, { argv, env })
      if (help) {
        process.stdout.write(formatHelp(def.usage, def.description, def.spec))
        return
      }
      const logger = createLogger((config as { logLevel?: LevelWithSilent }).logLevel ?? 'info')
      // The first line says what runs: after an upgrade, the log shows which build wrote what.
      logger.info(buildInfo(), `superguard ${def.spec.role} starting`)
      let service: { close(): Promise<void> }
      try {
        service = await def.start(config, logger)
      } catch (err) {
        // The stack for whoever asked (--log-level debug); main() prints the one line (startupFailure.ts).
        logger.debug({ err }, 'start-up failed')
        logger.flush()
        if (def.isStartupError?.(err)) throw new StartupError(def.spec.role, (err as Error).message, { cause: err })
        throw err
      }
      await new Promise<void>((resolve) =>
        onShutdown(logger, async () => {
          await service.close()
          resolve()
        }),
      )
    },
  }
}
