import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { listenOptions } from '../../src/config/common.js'
import { defineOptions, defineSpec, envName, flagName, formatHelp } from '../../src/config/index.js'

const spec = defineOptions({
  ...listenOptions,
  port: { type: 'port', default: 8545, help: 'port to listen on' },
  upstream: { type: 'strings', required: true, arg: 'URL', help: 'upstream URL' },
  interval: { type: 'duration', default: '2s', help: 'sweep interval' },
  metrics: { type: 'bool', default: true, help: 'serve /metrics' },
  tags: { type: 'strings', default: [], help: 'tags' },
  dataDir: { type: 'path', flag: 'data', aliases: ['d'], arg: 'DIR', help: 'data directory' },
})
const text = formatHelp(
  'superguard test [options] <arg>',
  'Does a test thing.',
  defineSpec({ role: 'test', envPrefix: 'SUPERGUARD_', options: spec }),
)
const lines = text.split('\n')

/** The two lines (flag line, description line) of an option. */
function entry(flag: string): [string, string] {
  const i = lines.findIndex((l) => l.startsWith(`  --${flag}`))
  assert.ok(i >= 0, `--${flag} listed`)
  return [lines[i]!, lines[i + 1]!]
}

test('usage and summary come first', () => {
  assert.is(lines[0], 'Usage: superguard test [options] <arg>')
  assert.is(lines[2], 'Does a test thing.')
  assert.is(lines[4], 'Options:')
})

test('every option is listed with its env name', () => {
  for (const [key, s] of Object.entries(spec)) {
    const [flagLine, desc] = entry(flagName(key, s))
    assert.ok(flagLine.length > 0)
    assert.ok(desc.includes(s.help), `${key} help`)
    assert.ok(desc.includes(`env ${envName(key, s)}`), `${key} env`)
  }
})

test('defaults, placeholders, choices, aliases, required and repeatable are shown', () => {
  assert.equal(entry('host'), [
    '  --host STRING',
    '      address to listen on (default 127.0.0.1; env SUPERGUARD_HOST)',
  ])
  assert.equal(entry('log-level'), [
    '  --log-level fatal|error|warn|info|debug|trace|silent',
    '      log level (default info; env SUPERGUARD_LOG_LEVEL)',
  ])
  assert.equal(entry('port'), ['  --port PORT', '      port to listen on (default 8545; env SUPERGUARD_PORT)'])
  assert.equal(entry('upstream'), [
    '  --upstream URL',
    '      upstream URL (repeatable; required; env SUPERGUARD_UPSTREAM)',
  ])
  assert.equal(entry('interval'), [
    '  --interval DURATION',
    '      sweep interval (default 2s; env SUPERGUARD_INTERVAL)',
  ])
  assert.equal(entry('metrics'), ['  --metrics', '      serve /metrics (default true; env SUPERGUARD_METRICS)'])
  assert.equal(entry('tags'), ['  --tags STRINGS', '      tags (repeatable; env SUPERGUARD_TAGS)'])
  assert.equal(entry('data'), ['  --data, --d DIR', '      data directory (env SUPERGUARD_DATA)'])
})

test('--config and --help close the list', () => {
  assert.ok(
    text.endsWith(
      '  --config FILE\n      JSON file with options by name (env SUPERGUARD_CONFIG)\n  --help\n      show this help\n',
    ),
  )
})

test.run()
