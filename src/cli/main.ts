import { ConfigError } from '../config/index.js'
import type { Command } from './command.js'

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
  devnet: { summary: 'everything on an embedded default (npm start)', load: () => import('./devnet.js') },
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
    'Run `superguard <command> --help` for its options.',
    '',
  ].join('\n')
}

/** The only place that sets the process exit code for bad usage. */
export async function main(argv: readonly string[]): Promise<void> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage())
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
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exitCode = 2
      return
    }
    process.stderr.write(`superguard ${name}: ${(err as Error).stack ?? String(err)}\n`)
    process.exitCode = 1
  }
}
