import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import { freePort } from '../../src/util/freePort.js'
import { runCli } from '../_helpers/cli.js'

// Every start-up failure an operator meets first: one line naming the cause and the thing, exit 2,
// no stack unless --log-level debug (issue 13). The CLIs run in parallel to keep the file short.

let anvil: Anvil
let dir: string
let busy: Server
let busyPort: number
let deadPort: number
let jwt: string

test.before(async () => {
  anvil = await startAnvil({ chainId: 901 })
  dir = mkdtempSync(join(tmpdir(), 'sg-startup-'))
  jwt = join(dir, 'jwt.hex')
  writeFileSync(jwt, `${'ab'.repeat(32)}\n`)
  busy = createServer()
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  busyPort = (busy.address() as { port: number }).port
  deadPort = await freePort() // nothing listens there: connection refused
})

test.after(async () => {
  await anvil.stop()
  await new Promise<void>((resolve) => busy.close(() => resolve()))
  rmSync(dir, { recursive: true, force: true })
})

const quiet = { SUPERGUARD_LOG_LEVEL: 'warn' }

/** stderr without the JSON log lines: what the operator reads on the terminal. */
function said(stderr: string, stdout: string): string[] {
  return `${stderr}${stdout}`.split('\n').filter((l) => l !== '' && !l.startsWith('{'))
}

test('each start-up failure is one line naming the cause and the thing, exit 2, no stack', async () => {
  const dead = `http://127.0.0.1:${deadPort}`
  const cases: { args: string[]; expect: RegExp }[] = [
    {
      args: ['supervisor', '--rpc', dead, '--db', join(dir, 'a.db'), '--port', '0'],
      expect: new RegExp(
        `^superguard supervisor: cannot read the chain id of ${dead}: HTTP request failed: connect ECONNREFUSED`,
      ),
    },
    {
      args: ['supervisor', '--rpc', `999=${anvil.url}`, '--db', join(dir, 'b.db'), '--port', '0'],
      expect: new RegExp(`^superguard supervisor: ${anvil.url} serves chain 901, configured as 999$`),
    },
    {
      args: ['supervisor', '--rpc', anvil.url, '--rpc', `901=${anvil.url}`, '--db', join(dir, 'c.db'), '--port', '0'],
      expect: /^superguard supervisor: chain 901 is configured twice \(.+\): give each chain one --rpc$/,
    },
    {
      args: ['supervisor', '--backend', 'rpc', '--rpc', anvil.url, '--rpc', anvil.url, '--port', '0'],
      expect: /^superguard supervisor: chain 901 is configured twice/,
    },
    {
      args: ['supervisor', '--rpc', anvil.url, '--db', join(dir, 'd.db'), '--port', String(busyPort)],
      expect: new RegExp(
        `^superguard supervisor: cannot listen on 127\\.0\\.0\\.1:${busyPort}: address already in use.*\\(EADDRINUSE\\)$`,
      ),
    },
    {
      args: ['supervisor', '--rpc', anvil.url, '--db', dir, '--port', '0'],
      expect: new RegExp(`^superguard supervisor: --db ${dir}: is a directory, not a database file$`),
    },
    {
      args: ['ingress', '--upstream', dead, '--supervisor', dead, '--port', '0'],
      expect: new RegExp(`^superguard ingress: cannot learn the chain id from the upstream ${dead} \\(.*ECONNREFUSED`),
    },
    {
      args: ['sweep', '--rpc', dead, '--supervisor', dead],
      expect: new RegExp(`^superguard sweep: cannot read the executing chain id from ${dead} .*ECONNREFUSED`),
    },
    {
      args: [
        'sequencer',
        '--engine',
        `${dead},jwt=${jwt}`,
        '--block-time',
        '1s',
        ...['--listen-engine', '127.0.0.1:0', '--listen-builder', '127.0.0.1:0', '--listen-debug', '127.0.0.1:0'],
      ],
      expect: new RegExp(`^superguard sequencer: cannot read the head of the engine ${dead} .*ECONNREFUSED`),
    },
    {
      args: ['engine-sim', '--jwt-secret', jwt, '--port', String(busyPort)],
      expect: /^superguard engine-sim: cannot listen on 127\.0\.0\.1:\d+: address already in use/,
    },
  ]
  const results = await Promise.all(cases.map((c) => runCli(c.args, quiet)))
  results.forEach((r, i) => {
    const lines = said(r.stderr, r.stdout)
    const what = cases[i]!.args.slice(0, 3).join(' ')
    assert.equal(r.code, 2, `${what}: exit code (${r.stderr})`)
    assert.equal(lines.length, 1, `${what}: one line, got ${JSON.stringify(lines)}`)
    assert.match(lines[0]!, cases[i]!.expect, what)
    assert.not.match(r.stderr, /\n\s+at /, `${what}: no stack`)
  })
})

test('--log-level debug adds the stack', async () => {
  const r = await runCli(['engine-sim', '--jwt-secret', jwt, '--port', String(busyPort), '--log-level', 'debug'])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /^superguard engine-sim: cannot listen on .*EADDRINUSE/m)
  assert.match(r.stderr, /\n\s+at /)
})

test('--version and -v on every role; the version in the first log line', async () => {
  const roles = ['', 'supervisor', 'ingress', 'sweep', 'sequencer', 'builder', 'engine-sim', 'inspect', 'devnet']
  // main() answers before it loads a role: one spawn per role, and -v for two.
  const argvs = [...roles.map((role) => (role ? [role, '--version'] : ['--version'])), ['-v'], ['sweep', '-v']]
  const results = await Promise.all(argvs.map((a) => runCli(a)))
  for (const r of results) {
    assert.equal(r.code, 0)
    assert.match(r.stdout, /^superguard \d+\.\d+\.\d+\S* \(commit ([0-9a-f]+(-dirty)?|unknown), node v\d+\S*\)\n$/)
  }
  const started = await runCli(['engine-sim', '--jwt-secret', jwt, '--port', String(busyPort)])
  const first = JSON.parse(started.stdout.split('\n')[0]!) as Record<string, unknown>
  assert.equal(first.msg, 'superguard engine-sim starting')
  assert.match(String(first.version), /^\d+\.\d+\.\d+/)
  assert.equal(first.node, process.version)
  assert.type(first.commit, 'string')
})

test.run()
