import { loadConfig } from '../config/index.js'
import { IndexDbError } from '../logindex/errors.js'
import { integrityCheck } from '../logindex/openIndex.js'
import { startSupervisor } from '../supervisor/index.js'
import { supervisorSpec } from '../supervisor/options.js'
import type { Command } from './command.js'
import { StartupError, serviceCommand } from './serve.js'

// The bound address goes to the log ("supervisor listening", field url): with --port 0 that is how callers find it.
const service = serviceCommand({
  summary: 'light supervisor backend (log index or RPC light mode)',
  usage:
    'superguard supervisor --rpc URL [--rpc URL ...] [options]\n       superguard supervisor --check-db [--db PATH]',
  description:
    "Light supervisor: checks interop messages (supervisor_checkAccessList and friends) against a SQLite log index of every chain, or against the chains' RPC (--backend rpc).",
  spec: supervisorSpec,
  start: (config, logger) => startSupervisor(config, { logger }),
  isStartupError: (err) => err instanceof IndexDbError,
})

export const command: Command = {
  summary: service.summary,
  async run(argv, env) {
    // --check-db reads only --db (the spec requires --rpc only without it).
    const { config, help } = loadConfig(supervisorSpec, { argv, env })
    if (help || !config.checkDb) return service.run(argv, env)
    checkDb(config.db)
  },
}

/**
 * `--check-db`: PRAGMA integrity_check of the file (read-only; a running supervisor may keep
 * writing it). stdout gets `ok` or every problem SQLite lists; a damaged or unreadable file also
 * gets one line on stderr naming it, and exit 2.
 */
function checkDb(path: string): void {
  let problems: string[]
  try {
    problems = integrityCheck(path)
  } catch (err) {
    throw new StartupError('supervisor', (err as Error).message, { cause: err })
  }
  if (problems.length === 0) {
    process.stdout.write(`${path}: ok\n`)
    return
  }
  process.stdout.write(`${problems.join('\n')}\n`)
  throw new StartupError(
    'supervisor',
    `--db ${path}: the database is corrupt (integrity_check found ${problems.length === 100 ? '100 or more' : problems.length} problems; see stdout); restore it or start with --rebuild-corrupt-db to index afresh`,
  )
}
