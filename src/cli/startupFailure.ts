import { ConfigError } from '../config/index.js'
import { StartupRefusal } from '../errors/index.js'
import { IndexDbError } from '../logindex/errors.js'
import { shortErrorText } from '../util/errorText.js'

/** What the CLI prints for a failed start: one line, and the exit code (2: configuration or environment). */
export type StartupFailure = { line: string; exitCode: 1 | 2 }

/** Node's socket errors from listen(), worded for an operator. */
const LISTEN_CAUSES: Record<string, string> = {
  EADDRINUSE: 'address already in use, another process listens there',
  EADDRNOTAVAIL: 'address not available on this host, check --host',
  EACCES: 'permission denied, ports below 1024 need privileges',
  ENOTFOUND: 'host name does not resolve, check --host',
}

/** File-system errors (a secret, a config file, a directory to create), worded for an operator. */
const FILE_CAUSES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
}

/**
 * The one place that turns a start-up failure into what the operator reads: `superguard <role>:
 * <cause and the thing>`, exit 2 for what the operator fixes outside the code (configuration,
 * environment), exit 1 and the first line of the message for anything else. Stacks go to the log
 * at debug only.
 */
export function describeStartupFailure(role: string, err: unknown): StartupFailure {
  const prefix = `superguard ${role}: `
  if (err instanceof ConfigError) return { line: err.message, exitCode: 2 }
  if (err instanceof StartupRefusal || err instanceof IndexDbError) return { line: prefix + err.message, exitCode: 2 }
  const sys = err as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string }
  if (typeof sys?.code === 'string') {
    if (sys.syscall === 'listen' || sys.syscall === 'bind' || sys.syscall === 'getaddrinfo') {
      const where = sys.port !== undefined ? `${sys.address ?? sys.hostname}:${sys.port}` : (sys.hostname ?? '?')
      const cause = LISTEN_CAUSES[sys.code] ?? sys.code
      return { line: `${prefix}cannot listen on ${where}: ${cause} (${sys.code})`, exitCode: 2 }
    }
    if (sys.path !== undefined && FILE_CAUSES[sys.code])
      return { line: `${prefix}${sys.path}: ${FILE_CAUSES[sys.code]} (${sys.code})`, exitCode: 2 }
  }
  return { line: `${prefix}failed to start: ${shortErrorText(err)}`, exitCode: 1 }
}

/** Whether the operator asked for stacks: `--log-level debug|trace` or SUPERGUARD_LOG_LEVEL. */
export function wantsStacks(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  let level = env.SUPERGUARD_LOG_LEVEL
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--log-level') level = argv[i + 1]
    else if (a.startsWith('--log-level=')) level = a.slice('--log-level='.length)
  }
  return level === 'debug' || level === 'trace'
}
