import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startBuilder } from '../../src/builder/start.js'
import { ConfigError, loadConfig } from '../../src/config/index.js'
import { startIngress } from '../../src/ingress/index.js'
import { sequencerConfig } from '../../src/sequencer/start.js'
import { supervisorConfig } from '../../src/supervisor/index.js'
import { startSweep, sweepOptions } from '../../src/sweep/index.js'
import { createLogger } from '../../src/util/logger.js'
import { runCli } from '../_helpers/cli.js'

// One configuration path (issue 12 item 2): what a library caller passes is checked exactly as the
// same flag, missing required options are listed with every other problem, and each role reads its
// own environment names. Nothing here listens: every configuration is refused before start.

const dir = mkdtempSync(join(tmpdir(), 'sg-config-roles-'))
const missing = join(dir, 'missing.hex')
const secret = join(dir, 'jwt.hex')
writeFileSync(secret, 'ab'.repeat(32))
const silent = createLogger('silent')

/** The problems of the ConfigError `run` throws (or rejects with). */
async function problemsOf(run: () => unknown): Promise<readonly string[]> {
  try {
    await run()
  } catch (err) {
    assert.instance(err, ConfigError, (err as Error).stack)
    return (err as ConfigError).problems
  }
  throw new Error('expected a ConfigError')
}

/** The problems the real CLI prints (`  - problem` lines), after checking it exits 2. */
async function cliProblems(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const r = await runCli(args, env)
  assert.is(r.code, 2, r.stderr)
  return r.stderr
    .split('\n')
    .filter((l) => l.startsWith('  - '))
    .map((l) => l.slice(4))
}

test('a bad value from a library caller gives the same ConfigError text as the flag', async () => {
  const up = 'http://127.0.0.1:1'
  const cases: { args: string[]; library: () => unknown }[] = [
    {
      args: [
        'ingress',
        '--upstream',
        up,
        '--supervisor',
        up,
        '--strategy',
        'best',
        '--supervisor-timeout',
        '0',
        '--chain-id',
        'x',
      ],
      library: () =>
        startIngress(
          { upstream: up, supervisor: [up], strategy: 'best' as 'first', supervisorTimeout: 0, chainId: 'x' },
          { logger: silent },
        ),
    },
    {
      args: [
        'sweep',
        '--rpc',
        up,
        '--mode',
        'index',
        '--index',
        join(dir, 'index.db'),
        '--chain-id',
        'nope',
        '--window',
        'soon',
      ],
      library: () =>
        startSweep(
          { rpc: up, mode: 'index', index: join(dir, 'index.db'), chainId: 'nope', windowMs: 'soon' },
          { logger: silent },
        ),
    },
    {
      args: [
        'sequencer',
        '--engine',
        up,
        '--block-time',
        '1s',
        '--replica-backlog',
        '0',
        '--execution-mode',
        'sometimes',
      ],
      library: () => sequencerConfig({ engine: up, blockTime: '1s', replicaBacklog: 0, executionMode: 'sometimes' }),
    },
    {
      args: ['builder', '--sequencer', up, '--jwt-secret', missing, '--engine', up, '--mempool-size', '0'],
      library: () =>
        startBuilder({ sequencer: up, jwtSecret: missing, engine: up, mempoolSize: 0 }, { logger: silent }),
    },
  ]
  for (const c of cases) {
    const [cli, library] = await Promise.all([cliProblems(c.args), problemsOf(c.library)])
    assert.ok(library.length >= 2, `${c.args[0]}: ${library.join('; ')}`)
    assert.equal(library, cli, c.args[0])
  }
})

test('a missing required flag exits 2 through the real CLI, listed with the other problems (sequencer, builder)', async () => {
  const [sequencer, builder] = await Promise.all([
    cliProblems(['sequencer', '--max-block-txs', '0', '--builder', 'http://127.0.0.1:2']),
    cliProblems(['builder', '--engine', 'nope', '--resubmit-interval', 'soon']),
  ])
  assert.equal(sequencer, [
    '--engine is required (execution engine (Engine API, JWT))',
    '--max-block-txs: must be at least 1, got 0',
    'proxy mode needs --jwt-secret (the secret op-node signs with)',
    "--builder http://127.0.0.1:2: jwt=FILE is required (it authenticates the builder's submissions)",
  ])
  assert.is(builder.length, 4, builder.join('\n'))
  assert.is(builder[0], "--sequencer is required (the sequencer's builder listener (pbs_submitBlock))")
  assert.match(builder[1]!, /^--jwt-secret is required \(/)
  assert.match(builder[2]!, /^--resubmit-interval: invalid duration "soon"/)
  assert.is(builder[3], '--engine: "nope" is not an http(s) URL')
})

test('environment names are per role: SUPERGUARD_SWEEP_RPC does not reach the supervisor', async () => {
  const env = {
    SUPERGUARD_SWEEP_RPC: 'http://el:8545',
    SUPERGUARD_SUPERVISOR_RPC: 'http://a:8545,http://b:8545',
    SUPERGUARD_LOG_LEVEL: 'debug',
    SUPERGUARD_RPC: 'http://old:8545',
  }
  const supervisor = supervisorConfig({ env })
  assert.equal(supervisor.rpc, ['http://a:8545', 'http://b:8545'])
  assert.is(supervisor.logLevel, 'debug') // shared: no role in its name
  const sweep = loadConfig({ role: 'sweep', envPrefix: 'SUPERGUARD_SWEEP_', options: sweepOptions }, { env }).config
  assert.is(sweep.rpc, 'http://el:8545')
  assert.is(sweep.logLevel, 'debug')
  // Neither the sweep's name nor the old shared one sets the supervisor's chains.
  assert.equal(
    await problemsOf(() =>
      supervisorConfig({ env: { SUPERGUARD_SWEEP_RPC: 'http://el:8545', SUPERGUARD_RPC: 'http://old:8545' } }),
    ),
    ['--rpc is required (the RPC endpoint of every chain in the dependency set)'],
  )
  assert.equal(await cliProblems(['supervisor', '--port', '0'], { SUPERGUARD_SWEEP_RPC: 'http://127.0.0.1:1' }), [
    '--rpc is required (the RPC endpoint of every chain in the dependency set)',
  ])
})

test('--help prints the per-role environment names', async () => {
  const r = await runCli(['sweep', '--help'])
  assert.is(r.code, 0)
  assert.ok(r.stdout.includes('env SUPERGUARD_SWEEP_RPC)'), r.stdout)
  assert.ok(r.stdout.includes('env SUPERGUARD_LOG_LEVEL)'))
  assert.ok(r.stdout.includes('(env SUPERGUARD_SWEEP_CONFIG)'))
})

test.after(() => rmSync(dir, { recursive: true, force: true }))
test.run()
