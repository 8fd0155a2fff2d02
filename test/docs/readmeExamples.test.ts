import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import { openIndex } from '../../src/logindex/openIndex.js'
import { createLogger } from '../../src/util/logger.js'
import { runCli, spawnCli } from '../_helpers/cli.js'
import { fencedCommands, readme } from './readmeCommands.js'

// The README's examples run as written, with only what cannot be fixed text swapped in: local
// anvil URLs for the example chain RPCs, a temporary --db, --port 0.

const commands = fencedCommands(readme())
const find = (re: RegExp) => {
  const c = commands.find((c) => re.test(c.text))
  assert.ok(c, `README has a command matching ${re}`)
  return c!
}

let dir: string
let anvils: Anvil[]

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sg-readme-'))
  anvils = await Promise.all([startAnvil({ chainId: 901 }), startAnvil({ chainId: 902 })])
})

test.after(async () => {
  await Promise.all(anvils.map((a) => a.stop()))
  rmSync(dir, { recursive: true, force: true })
})

test('superguard --version', async () => {
  const r = await runCli(find(/^superguard --version$/).argv)
  assert.is(r.code, 0)
  assert.match(r.stdout, /^superguard \d+\.\d+\.\d+/)
})

test('superguard inspect --json <keys> (the README example, verbatim)', async () => {
  const r = await runCli(find(/^superguard inspect --json 0x01/).argv)
  assert.is(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  assert.is(out.accesses[0].chainId, '420120003')
})

test('superguard supervisor --rpc 9001 --rpc 902=9002: starts against two chains', async () => {
  const c = find(/^superguard supervisor --rpc /)
  const db = join(dir, 'supervisor.db')
  const argv = c.argv
    .filter((a) => !a.startsWith('[') && !a.endsWith(']') && a !== 'index|rpc')
    .map((a) =>
      a
        .replace('http://127.0.0.1:9001', anvils[0]!.url)
        .replace('http://127.0.0.1:9002', anvils[1]!.url)
        .replace('./data/supervisor.db', db),
    )
  assert.ok(argv.includes(anvils[0]!.url) && argv.includes(`902=${anvils[1]!.url}`), argv.join(' '))
  const child = spawnCli([...argv, '--db', db, '--port', '0'])
  let out = ''
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not listening within 15 s: ${out}`)), 15_000)
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString()
        if (out.includes('"every chain ready"')) {
          clearTimeout(timer)
          resolve()
        }
      })
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)))
    })
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
  }
  assert.match(out, /"msg":"superguard supervisor starting"/)
})

test('superguard supervisor --check-db --db ./data/supervisor.db: "ok", exit 0', async () => {
  const c = find(/^superguard supervisor --check-db/)
  const db = join(dir, 'checked.db')
  openIndex(db, { logger: createLogger('silent') }).close()
  const r = await runCli(c.argv.map((a) => a.replace('./data/supervisor.db', db)))
  assert.is(r.code, 0, r.stderr)
  assert.is(r.stdout, `${db}: ok\n`)
})

test.run()
