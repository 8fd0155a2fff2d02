import { ConfigError, formatHelp, loadConfig } from '../config/index.js'
import { formatSummary, LOADTEST_KINDS, loadtestSpec, runLoadtest } from '../loadtest/index.js'
import type { Command } from './command.js'

const USAGE = [
  'superguard loadtest checker --target URL --rpc [CHAINID=]URL [--rpc ...] [options]',
  '       superguard loadtest ingress --target URL --rpc URL --key-file FILE [options]',
  '       superguard loadtest builder --target URL --jwt-secret FILE [--debug URL] [options]',
  '       superguard loadtest compare A.json B.json',
  '       superguard loadtest run SCENARIO.json',
].join('\n')

const SUMMARY = [
  'Load-tests an interop checker (interop_checkAccessList), a transaction ingress (eth_sendRawTransaction)',
  'or a builder API (pbs_submitBlock) with autocannon on a worker thread, and checks every answer against',
  'its expected verdict. Exit 0; 1 when an --expect fails; 2 on bad options or a target that cannot be',
  'load-tested (unreachable, not JSON-RPC, a chain without logs).',
].join('\n')

export const command: Command = {
  summary: 'load-test a checker, an ingress or a builder API, with every answer checked',
  async run(argv, env) {
    const [kind, ...rest] = argv
    if (kind === undefined || kind === '--help' || kind === '-h') {
      process.stdout.write(formatHelp(USAGE, SUMMARY, loadtestSpec))
      return
    }
    if (!(LOADTEST_KINDS as readonly string[]).includes(kind))
      throw new ConfigError('loadtest', [
        `unknown loadtest command "${kind}" (expected ${[...LOADTEST_KINDS, 'compare', 'run'].join(', ')})`,
      ])
    const { config, help, positionals } = loadConfig(loadtestSpec, { argv: ['--kind', kind, ...rest], env })
    if (help) {
      process.stdout.write(formatHelp(USAGE, SUMMARY, loadtestSpec))
      return
    }
    if (positionals.length > 0) throw new ConfigError('loadtest', [`unexpected argument "${positionals[0]}"`])
    const result = await runLoadtest(config, { commandLine: `superguard loadtest ${argv.join(' ')}` })
    process.stdout.write(formatSummary(result))
    if (result.expectations.some((e) => !e.ok)) process.exitCode = 1
  },
}
