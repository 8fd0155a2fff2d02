import { versionLine } from '../util/buildInfo.js'
import type { Command } from './command.js'
import { describeStartupFailure, wantsStacks } from './startupFailure.js'

/** Subcommands, loaded lazily so `superguard inspect` never pays for fastify or SQLite. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  supervisor: {
    summary: 'light supervisor: SQLite log index or eth_getLogs light mode, checkAccessList',
    load: () => import('./supervisor.js'),
  },
  ingress: {
    summary: "validating transaction ingress (proxyd's interop role) with builder fan-out",
    load: () => import('./ingress.js'),
  },
  sweep: {
    summary: 'mempool interval sweep on a worker pool: re-check, evict, report',
    load: () => import('./sweep.js'),
  },
  sequencer: {
    summary: 'PBS sequencer: builder API, deadline selection with local fallback',
    load: () => import('./sequencer.js'),
  },
  builder: { summary: 'reference PBS builder', load: () => import('./builder.js') },
  'engine-sim': { summary: 'OP execution-engine double (Engine API V3/V4, JWT)', load: () => import('./engineSim.js') },
  inspect: {
    summary: "decode a transaction's or access list's executing messages",
    load: () => import('./inspect.js'),
  },
  'access-list': {
    summary: 'the CrossL2Inbox access list and Identifier for executing a real log',
    load: () => import('./accessList.js'),
  },
  devnet: { summary: 'everything on an embedded default (npm start)', load: () => import('./devnet.js') },
  loadtest: {
    summary: 'load-test a checker, an ingress or a builder API, with every answer checked',
    load: () => import('./loadtest.js'),
  },
  'conductor-standin': {
    summary: "devnet only: op-conductor's RPC for one chain's sequencers (a stand-in)",
    load: () => import('./conductorStandin.js'),
  },
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length))
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  return [
    'Usage: superguard <command> [options]',
    '',
    'Commands:',
    ...rows,
    '',
    'Run `superguard <command> --help` for its options; `superguard --version` (or -v) for the build.',
    '',
  ].join('\n')
}

/**
 * The only place that sets the process exit code for bad usage and failed starts: one line on
 * stderr (`superguard <role>: <cause and the thing>`), exit 2 for configuration and environment
 * problems (describeStartupFailure), the stack only with --log-level debug.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage())
    return
  }
  if (name === '--version' || name === '-v' || name === 'version' || wantsVersion(rest)) {
    process.stdout.write(`${versionLine()}\n`)
    return
  }
  const entry = COMMANDS[name]
  if (!entry) {
    process.stderr.write(`unknown command "${name}"\n\n${usage()}`)
    process.exitCode = 2
    return
  }
  try {
    const { command } = await entry.load()
    await command.run(rest, process.env)
  } catch (err) {
    const failure = describeStartupFailure(name, err)
    process.stderr.write(`${failure.line}\n`)
    if (wantsStacks(rest, process.env) && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`)
    process.exitCode = failure.exitCode
    // Whatever a half-started role left open (a worker pool, a listener bound before the one that
    // failed) must not keep the process alive: exit once the line is out, within 2 s at most.
    setTimeout(() => process.exit(), 2000).unref()
  }
}

/** `superguard <role> --version` / `-v` (before a `--`): every role answers it, without loading the role. */
function wantsVersion(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false
    if (a === '--version' || a === '-v') return true
  }
  return false
}
