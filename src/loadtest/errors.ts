import { ConfigError } from '../config/index.js'

/**
 * A load test that cannot start or cannot mean anything: an unreachable target, a target answering
 * something that is not JSON-RPC, a chain without logs, an unreadable scenario. One line for the
 * operator (`superguard loadtest: …`), exit 2, as a bad flag; a ConfigError so main() prints it
 * without a stack.
 */
export class LoadtestError extends ConfigError {
  override name = 'LoadtestError'
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super('loadtest', [message])
    this.message = `superguard loadtest: ${message}`
    if (opts.cause !== undefined) this.cause = opts.cause
  }
}
