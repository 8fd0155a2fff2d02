import { ConfigError } from '../config/index.js'
import type { Command } from './command.js'

/** Subcommands, loaded lazily so `superguard inspect` never pays for fastify or SQLite. */
const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  supervisor: () => import('./supervisor.js'),
  ingress: () => import('./ingress.js'),
  inspect: () => import('./inspect.js'),
  sweep: () => import('./sweep.js'),
  devnet: () => import('./devnet.js'),
  'engine-sim': () => import('./engineSim.js'),
  sequencer: () => import('./sequencer.js'),
  builder: () => import('./builder.js'),
}

function usage(): string {
  return ['Usage: superguard <command> [options]', '', 'Commands:', ...Object.keys(COMMANDS).map((c) => `  ${c}`), '', 'Run `superguard <command> --help` for its options.', ''].join('\n')
}

/** The only place that sets the process exit code for bad usage. */
export async function main(argv: readonly string[]): Promise<void> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage())
    return
  }
  const load = COMMANDS[name]
  if (!load) {
    process.stderr.write(`unknown command "${name}"\n\n${usage()}`)
    process.exitCode = 2
    return
  }
  try {
    const { command } = await load()
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
