import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  ConfigError,
  defineOptions,
  defineSpec,
  envName,
  flagName,
  type LoadInput,
  loadConfig,
} from '../../src/config/index.js'

const spec = defineOptions({
  port: { type: 'port', default: 8545, help: 'port to listen on' },
  host: { type: 'string', default: '127.0.0.1', help: 'address to listen on' },
  upstream: { type: 'strings', required: true, arg: 'URL', help: 'upstream URL' },
  interval: { type: 'duration', default: '2s', min: 100, max: 60_000, help: 'sweep interval' },
  metrics: { type: 'bool', default: true, help: 'serve /metrics' },
  strategy: { type: 'enum', choices: ['agreement', 'first', 'any'], default: 'agreement', help: 'validation strategy' },
  maxEntries: { type: 'int', default: 1000, min: 1, max: 10_000, help: 'access-list entry limit' },
  ratio: { type: 'number', help: 'a fraction' },
  dataDir: { type: 'path', flag: 'data', aliases: ['d'], arg: 'DIR', help: 'data directory' },
})

const dir = mkdtempSync(join(tmpdir(), 'superguard-config-'))
let n = 0
function file(content: unknown): string {
  const p = join(dir, `c${n++}.json`)
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content))
  return p
}

const load = (input: LoadInput<typeof spec>) =>
  loadConfig(defineSpec({ role: 'test', envPrefix: 'SUPERGUARD_', options: spec }), input)
const U = ['--upstream', 'http://a']

function problems(input: LoadInput<typeof spec>): readonly string[] {
  try {
    load(input)
  } catch (err) {
    assert.instance(err, ConfigError)
    return (err as ConfigError).problems
  }
  throw new assert.Assertion({
    message: 'expected a ConfigError',
    operator: 'throws',
    generated: true,
    expects: 'ConfigError',
    actual: 'no error',
  })
}

test('defaults fill every option that has one', () => {
  const { config, positionals, help } = load({ argv: U })
  assert.equal(
    { ...config },
    {
      port: 8545,
      host: '127.0.0.1',
      upstream: ['http://a'],
      interval: 2000,
      metrics: true,
      strategy: 'agreement',
      maxEntries: 1000,
    },
  )
  assert.equal(positionals, [])
  assert.is(help, false)
  assert.is(config.ratio, undefined)
})

test('precedence: flags > SUPERGUARD_* env > JSON file > defaults', () => {
  const cfg = file({ port: 1, host: 'file-host', maxEntries: 3, upstream: ['http://file'] })
  const env = { SUPERGUARD_PORT: '2', SUPERGUARD_HOST: 'env-host' }
  const { config } = load({ argv: ['--config', cfg, '--port', '3'], env })
  assert.is(config.port, 3) // flag over env and file
  assert.is(config.host, 'env-host') // env over file
  assert.is(config.maxEntries, 3) // file over default
  assert.equal(config.upstream, ['http://file'])
  assert.is(config.interval, 2000) // default
})

test('the config file can come from SUPERGUARD_CONFIG or --config=FILE; the flag wins', () => {
  const a = file({ host: 'a', upstream: ['u'] })
  const b = file({ host: 'b', upstream: ['u'] })
  assert.is(load({ env: { SUPERGUARD_CONFIG: a } }).config.host, 'a')
  assert.is(load({ argv: [`--config=${b}`], env: { SUPERGUARD_CONFIG: a } }).config.host, 'b')
})

test('--x=v and --x v are the same', () => {
  assert.is(load({ argv: [...U, '--host=h1'] }).config.host, 'h1')
  assert.is(load({ argv: [...U, '--host', 'h2'] }).config.host, 'h2')
  assert.is(load({ argv: [...U, '--host=a=b'] }).config.host, 'a=b')
})

test('the last of a repeated single-valued flag wins', () => {
  assert.is(load({ argv: [...U, '--port', '1', '--port', '2'] }).config.port, 2)
})

test('strings repeat on the command line, split on commas in env, are arrays in the file', () => {
  assert.equal(load({ argv: ['--upstream', 'a', '--upstream=b', '--upstream', 'c'] }).config.upstream, ['a', 'b', 'c'])
  assert.equal(load({ env: { SUPERGUARD_UPSTREAM: 'a, b,,c' } }).config.upstream, ['a', 'b', 'c'])
  assert.equal(load({ argv: ['--config', file({ upstream: ['x', 'y'] })] }).config.upstream, ['x', 'y'])
  assert.equal(load({ argv: ['--config', file({ upstream: 'single' })] }).config.upstream, ['single'])
  // flags replace the env list rather than appending to it
  assert.equal(load({ argv: ['--upstream', 'f'], env: { SUPERGUARD_UPSTREAM: 'e1,e2' } }).config.upstream, ['f'])
})

test('booleans: --x, --no-x, --x=false, env and file values', () => {
  assert.is(load({ argv: [...U, '--no-metrics'] }).config.metrics, false)
  assert.is(load({ argv: [...U, '--no-metrics', '--metrics'] }).config.metrics, true)
  assert.is(load({ argv: [...U, '--metrics=false'] }).config.metrics, false)
  assert.is(load({ argv: [...U, '--metrics=1'] }).config.metrics, true)
  assert.is(load({ argv: U, env: { SUPERGUARD_METRICS: '0' } }).config.metrics, false)
  assert.is(load({ argv: U, env: { SUPERGUARD_METRICS: 'false' } }).config.metrics, false)
  assert.is(load({ argv: ['--config', file({ upstream: ['u'], metrics: false })] }).config.metrics, false)
  assert.is(load({ argv: [...U, '--no-metrics'], env: { SUPERGUARD_METRICS: 'true' } }).config.metrics, false)
})

test('a boolean flag does not swallow the next argument', () => {
  const { config, positionals } = load({ argv: [...U, '--metrics', 'keys.txt'] })
  assert.is(config.metrics, true)
  assert.equal(positionals, ['keys.txt'])
})

test('--no- applies to booleans only and takes no value', () => {
  assert.equal(problems({ argv: [...U, '--no-port'] }), ['unknown option --no-port'])
  assert.equal(problems({ argv: [...U, '--no-metrics=true'] }), ['--no-metrics takes no value'])
})

test('positionals keep their order; -- ends option parsing; a lone - is positional', () => {
  const { positionals, config } = load({ argv: ['a', ...U, 'b', '-', '--', '--port', 'c'] })
  assert.equal(positionals, ['a', 'b', '-', '--port', 'c'])
  assert.is(config.port, 8545)
})

test('flag override and aliases set the same option; env name follows the flag', () => {
  assert.is(load({ argv: [...U, '--data', '/x'] }).config.dataDir, '/x')
  assert.is(load({ argv: [...U, '--d', '/y'] }).config.dataDir, '/y')
  assert.is(load({ argv: U, env: { SUPERGUARD_DATA: '/z' } }).config.dataDir, '/z')
  assert.equal(problems({ argv: [...U, '--data-dir', '/x'] }), ['unknown option --data-dir'])
})

test('flagName and envName', () => {
  assert.is(flagName('maxEntries', spec.maxEntries), 'max-entries')
  assert.is(envName('maxEntries', spec.maxEntries), 'SUPERGUARD_MAX_ENTRIES')
  assert.is(flagName('dataDir', spec.dataDir), 'data')
  assert.is(envName('dataDir', spec.dataDir), 'SUPERGUARD_DATA')
})

test('an empty environment variable counts as unset', () => {
  assert.is(load({ argv: U, env: { SUPERGUARD_HOST: '' } }).config.host, '127.0.0.1')
})

test('numbers: ints, ports, floats and their ranges', () => {
  assert.is(load({ argv: [...U, '--ratio', '0.25'] }).config.ratio, 0.25)
  assert.is(load({ argv: [...U, '--max-entries', '1'] }).config.maxEntries, 1)
  assert.is(load({ argv: [...U, '--max-entries', '10000'] }).config.maxEntries, 10_000)
  assert.is(load({ argv: [...U, '--port', '0'] }).config.port, 0)
  assert.equal(problems({ argv: [...U, '--max-entries', '0'] }), ['--max-entries: must be at least 1, got 0'])
  assert.equal(problems({ argv: [...U, '--max-entries', '10001'] }), [
    '--max-entries: must be at most 10000, got 10001',
  ])
  assert.equal(problems({ argv: [...U, '--max-entries', '1.5'] }), ['--max-entries: expected an integer, got "1.5"'])
  assert.equal(problems({ argv: [...U, '--port', '65536'] }), ['--port: expected a port 0..65535, got 65536'])
  assert.equal(problems({ argv: [...U, '--ratio', 'x'] }), ['--ratio: expected a number, got "x"'])
  assert.equal(problems({ argv: U, env: { SUPERGUARD_PORT: ' ' } }), ['SUPERGUARD_PORT: expected a number, got " "'])
})

test('durations: units, milliseconds from a file, min and max', () => {
  assert.is(load({ argv: [...U, '--interval', '250ms'] }).config.interval, 250)
  assert.is(load({ argv: [...U, '--interval', '1m'] }).config.interval, 60_000)
  assert.is(load({ argv: ['--config', file({ upstream: ['u'], interval: 500 })] }).config.interval, 500)
  assert.equal(problems({ argv: [...U, '--interval', '50ms'] }), ['--interval: must be at least 100ms, got 50ms'])
  assert.equal(problems({ argv: [...U, '--interval', '2m'] }), ['--interval: must be at most 60000ms, got 120000ms'])
  assert.match(problems({ argv: [...U, '--interval', 'soon'] })[0]!, /^--interval: invalid duration "soon"/)
})

test('enums accept only their choices', () => {
  assert.is(load({ argv: [...U, '--strategy', 'first'] }).config.strategy, 'first')
  assert.equal(problems({ argv: [...U, '--strategy', 'best'] }), [
    '--strategy: expected one of agreement, first, any, got "best"',
  ])
})

test('file values are type-checked and unknown file keys are problems', () => {
  const cfg = file({ upstream: ['u'], host: 5, metrics: 'maybe', nope: 1 })
  assert.equal(problems({ argv: ['--config', cfg] }), [
    `config file ${cfg}: unknown option "nope"`,
    'config file "host": expected a non-empty string, got 5',
    'config file "metrics": expected true or false, got "maybe"',
  ])
})

test('unreadable, non-JSON and non-object config files are problems', () => {
  const missing = join(dir, 'missing.json')
  assert.match(problems({ argv: [...U, '--config', missing] })[0]!, new RegExp(`^config file ${missing}: ENOENT`))
  const bad = file('{ not json')
  assert.match(problems({ argv: [...U, '--config', bad] })[0]!, new RegExp(`^config file ${bad}: `))
  const arr = file([1, 2])
  assert.equal(problems({ argv: [...U, '--config', arr] }), [`config file ${arr}: not a JSON object`])
  assert.equal(problems({ argv: [...U, '--config'] }), ['--config needs a FILE'])
})

test('every problem is reported in ONE ConfigError', () => {
  let err: unknown
  try {
    load({
      argv: ['--bogus', '--port', 'http', '--strategy', 'best', '--host', '--interval', '1ms', '--max-entries'],
      env: { SUPERGUARD_METRICS: 'yes' },
    })
  } catch (e) {
    err = e
  }
  assert.instance(err, ConfigError)
  const e = err as ConfigError
  assert.equal(e.problems, [
    'unknown option --bogus',
    '--host needs a value',
    '--max-entries needs a value',
    '--port: expected a number, got "http"',
    '--upstream is required (upstream URL)',
    '--interval: must be at least 100ms, got 1ms',
    'SUPERGUARD_METRICS: expected true or false, got "yes"',
    '--strategy: expected one of agreement, first, any, got "best"',
  ])
  assert.is(e.name, 'ConfigError')
  assert.is(e.message, `invalid test configuration:\n${e.problems.map((p) => `  - ${p}`).join('\n')}`)
})

test('--help and -h never throw, even with missing or bad options', () => {
  for (const h of ['--help', '-h']) {
    const r = load({ argv: [h, '--bogus', '--port', 'x'] })
    assert.is(r.help, true)
    assert.is(r.config.upstream, undefined)
  }
})

test('the config and its lists are frozen', () => {
  const { config } = load({ argv: ['--upstream', 'a', '--upstream', 'b'] })
  assert.ok(Object.isFrozen(config))
  assert.ok(Object.isFrozen(config.upstream))
})

test('check(): cross-option rules see defaults, values and the context, and join the same ConfigError', () => {
  const checked = defineSpec<typeof spec, { limit: number }>({
    role: 'test',
    envPrefix: 'SUPERGUARD_',
    options: spec,
    check(c, context) {
      const p: string[] = []
      if (c.ratio !== undefined && c.strategy !== 'first') p.push('--ratio needs --strategy first')
      if (context && c.maxEntries > context.limit) p.push(`--max-entries ${c.maxEntries} exceeds ${context.limit}`)
      if (c.upstream.length > 2) p.push('at most two --upstream')
      return p
    },
  })
  const problemsOf = (input: LoadInput<typeof spec, { limit: number }>) => {
    try {
      loadConfig(checked, input)
    } catch (err) {
      assert.instance(err, ConfigError)
      return (err as ConfigError).problems
    }
    return []
  }
  assert.equal(problemsOf({ argv: [...U, '--ratio', '0.5', '--strategy', 'first'] }), [])
  assert.equal(problemsOf({ argv: [...U, '--ratio', '0.5'] }), ['--ratio needs --strategy first']) // the default strategy
  // after every option's own problem, in one error
  assert.equal(problemsOf({ argv: [...U, '--ratio', '0.5', '--port', 'x'] }), [
    '--port: expected a number, got "x"',
    '--ratio needs --strategy first',
  ])
  // library values and the caller's context
  assert.equal(problemsOf({ values: { upstream: ['a'], maxEntries: 50 }, context: { limit: 10 } }), [
    '--max-entries 50 exceeds 10',
  ])
  assert.equal(problemsOf({ values: { upstream: ['a'], maxEntries: 50 } }), [])
  // a rule that trips over an option already reported (upstream missing) adds nothing
  assert.equal(problemsOf({ argv: ['--ratio', '0.5'] }), ['--upstream is required (upstream URL)'])
  // --help never runs the rules
  assert.is(loadConfig(checked, { argv: ['--help', '--ratio', '0.5'] }).help, true)
})

test('library values: checked and worded as their flag, over env and file, under flags; unknown keys are problems', () => {
  assert.is(load({ values: { upstream: ['a'], interval: '250ms' } }).config.interval, 250)
  assert.is(load({ values: { upstream: ['a'], interval: 250 } }).config.interval, 250)
  assert.is(
    load({ argv: ['--port', '1'], values: { upstream: ['a'], port: 2 }, env: { SUPERGUARD_PORT: '3' } }).config.port,
    1,
  )
  assert.is(load({ values: { upstream: ['a'], port: 2 }, env: { SUPERGUARD_PORT: '3' } }).config.port, 2)
  assert.equal(
    problems({ values: { upstream: ['a'], maxEntries: 0 } }),
    problems({ argv: [...U, '--max-entries', '0'] }),
  )
  assert.equal(problems({ values: { upstream: ['a'], strategy: 'best' as 'first' } }), [
    '--strategy: expected one of agreement, first, any, got "best"',
  ])
  assert.equal(problems({ values: { upstream: ['a'], nope: 1 } as never }), ['unknown option "nope"'])
})

test.after(() => rmSync(dir, { recursive: true, force: true }))
test("an environment list splits at commas, except before an item's own key=value (endpoint options)", () => {
  const env = { SUPERGUARD_UPSTREAM: 'http://a,jwt=/s/a.hex,name=a, 901=http://b ,http://c,jwt=/s/c.hex' }
  assert.equal(load({ env }).config.upstream, ['http://a,jwt=/s/a.hex,name=a', '901=http://b', 'http://c,jwt=/s/c.hex'])
})

test.run()
