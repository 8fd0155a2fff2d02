import { writeFileSync } from 'node:fs'
import { ConfigError, formatHelp, loadConfig } from '../config/index.js'
import {
  formatChaos,
  formatCompare,
  formatSummary,
  LOADTEST_KINDS,
  loadtestSpec,
  readResult,
  readScenario,
  renderScenarioReport,
  runLoadtest,
  runScenario,
} from '../loadtest/index.js'
import type { Command } from './command.js'

const USAGE = [
  'superguard loadtest checker --target URL --rpc [CHAINID=]URL [--rpc ...] [options]',
  '       superguard loadtest ingress --target URL --rpc URL --key-file FILE [options]',
  '       superguard loadtest builder --target URL --jwt-secret FILE --rpc URL [--debug URL] [options]',
  '       superguard loadtest compare A.json B.json',
  '       superguard loadtest run SCENARIO.json [--json FILE] [--report FILE.html] [--manifest CLUSTER.json]',
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
    if (kind === 'compare') return compare(rest)
    if (kind === 'run') return run(rest)
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

function compare(args: readonly string[]): void {
  if (args.length !== 2 || args.some((a) => a.startsWith('--')))
    throw new ConfigError('loadtest', ['compare takes two result files: superguard loadtest compare A.json B.json'])
  const [a, b] = args as [string, string]
  process.stdout.write(formatCompare(a, b, readResult(a), readResult(b)))
}

/**
 * `run FILE.json [--json OUT] [--report OUT.html] [--manifest CLUSTER.json]`: every step checked before
 * the first runs; exit 1 when an expectation failed. `--manifest` is the topology's, for chaos steps.
 */
async function run(args: readonly string[]): Promise<void> {
  const files: string[] = []
  const opts: Record<'--json' | '--report' | '--manifest', string | undefined> = {
    '--json': undefined,
    '--report': undefined,
    '--manifest': undefined,
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a in opts) {
      const v = args[++i]
      if (v === undefined) throw new ConfigError('loadtest', [`${a} needs a FILE`])
      opts[a as keyof typeof opts] = v
    } else if (a.startsWith('--')) throw new ConfigError('loadtest', [`run: unknown option ${a}`])
    else files.push(a)
  }
  const json = opts['--json']
  if (files.length !== 1)
    throw new ConfigError('loadtest', ['run takes one scenario file: superguard loadtest run FILE.json'])
  const scenario = readScenario(files[0]!)
  const result = await runScenario(
    scenario,
    files[0]!,
    {
      commandLine: `superguard loadtest run ${args.join(' ')}`,
      ...(opts['--manifest'] ? { manifest: opts['--manifest'] } : {}),
    },
    (i, o) => {
      const name = scenario.steps[i]?.name ?? (i >= scenario.steps.length ? 'end of scenario' : undefined)
      process.stdout.write(`step ${i + 1}${name ? ` (${name})` : ''}:\n`)
      if (o.result) process.stdout.write(formatSummary(o.result))
      if (o.chaos) process.stdout.write(formatChaos(o.chaos))
      if (!o.result)
        for (const e of o.expectations) process.stdout.write(`  expect     ${e.expect}: ${e.ok ? 'ok' : 'FAILED'}\n`)
    },
  )
  if (json) writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`)
  if (opts['--report']) writeFileSync(opts['--report'], renderScenarioReport(result))
  process.stdout.write(`scenario ${result.passed ? 'passed' : 'FAILED'}: ${result.steps.length} steps\n`)
  if (!result.passed) process.exitCode = 1
}
