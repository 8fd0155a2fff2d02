import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { devnetConfig } from '../../src/devnet/options.js'
import { startDevnet } from '../../src/devnet/start.js'
import { createLogger } from '../../src/util/logger.js'
import { spawnCli } from '../_helpers/cli.js'

const urlsIn = (text: string) => [...text.matchAll(/ at (http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]!)
const refused = (url: string) =>
  fetch(url).then(
    () => false,
    () => true,
  )

test('a start-up failure stops what had started', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-devnet-'))
  const notADir = join(dir, 'file')
  writeFileSync(notADir, '')
  const lines: string[] = []
  try {
    let failed: unknown
    await startDevnet(devnetConfig({ argv: ['--data-dir', notADir] }), createLogger('silent'), (l) =>
      lines.push(l),
    ).then(
      (d) => d.close(),
      (err: unknown) => {
        failed = err
      },
    )
    assert.ok(failed, 'the supervisors cannot open a database under a file')
    const engines = urlsIn(lines.join('\n'))
    assert.is(engines.length, 2, lines.join('\n'))
    for (const url of engines) assert.ok(await refused(url), `engine-sim ${url} still listening`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('`superguard devnet` stops cleanly on Ctrl-C', async () => {
  const child = spawnCli(['devnet', '--interval', '200ms'], {}, { group: true })
  let out = ''
  let err = ''
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString()
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      if (/ingress 902: accepted → block \d+/.test(out)) resolve()
    })
    child.once('exit', (code) => reject(new Error(`devnet exited early (${code}): ${out}`)))
  })
  const engines = urlsIn(out.split('\n')[0]!)
  assert.is(engines.length, 2, out)
  // As a terminal does: SIGINT to the whole foreground process group.
  process.kill(-child.pid!, 'SIGINT')
  const before = err.length
  const [code] = await once(child, 'exit')
  assert.is(code, 0, `${out}\n${err}`)
  assert.match(out, /\[devnet\] stopped; totals:/)
  assert.not.match(
    err.slice(before),
    /"level":(40|50)/,
    `no warning or error while stopping:\n${err.slice(before).slice(-3000)}`,
  )
  for (const url of engines) assert.ok(await refused(url), `engine-sim ${url} still listening after Ctrl-C`)
})

test.run()
