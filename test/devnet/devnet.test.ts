import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { devnetConfig } from '../../src/devnet/options.js'
import { type Devnet, startDevnet } from '../../src/devnet/start.js'
import type { DevnetStats } from '../../src/devnet/stats.js'
import { createLogger } from '../../src/util/logger.js'
import { spawnCli } from '../_helpers/cli.js'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const pidsIn = (text: string) => [...text.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]))

/** What the library run waits for: every subsystem did its part at least once. */
function everyPartWorked(s: DevnetStats): boolean {
  const builderBlocks = s.sequencer.bySource.get('builder-a') + s.sequencer.bySource.get('builder-b')
  // A local block sealed because the builder blocks had too little gas (not merely because none came in time).
  const refusedForLocal = s.sequencer.refused.get('min_gas_ratio')
  return (
    s.traffic.valid >= 2 &&
    s.ingress.accepted >= 2 &&
    s.ingress.refused.total >= 1 &&
    s.sweep.evicted.total >= 1 &&
    builderBlocks >= 1 &&
    refusedForLocal >= 1
  )
}

test('the embedded default: messages validate, forged ones are refused, the ingress accepts and refuses, the sweep evicts, the sequencer seals builder and local blocks; nothing is left running', async () => {
  const lines: string[] = []
  let printed = () => {}
  // Short intervals, a reorg after every round through the ingress; --duration only bounds a hung run.
  const config = devnetConfig({
    argv: [
      '--duration',
      '30s',
      '--interval',
      '200ms',
      '--reorg-every',
      '1',
      '--sweep-interval',
      '500ms',
      '--transfer-interval',
      '100ms',
      '--report',
      '1s',
    ],
  })
  const devnet: Devnet = await startDevnet(config, createLogger('silent'), (l) => {
    lines.push(l)
    printed()
  })
  try {
    while (!everyPartWorked(devnet.stats)) {
      const next = new Promise<void>((resolve) => {
        printed = resolve
      })
      const ended = await Promise.race([next.then(() => false), devnet.done.then(() => true)])
      if (ended) assert.unreachable(`the devnet ended before every part worked:\n${lines.join('\n')}`)
    }
  } finally {
    await devnet.close()
  }
  const s = devnet.stats
  const log = lines.join('\n')
  assert.is(s.traffic.unexpected, 0, log)
  assert.is(s.traffic.refused, s.traffic.valid, `every forged copy is refused\n${log}`)
  assert.ok(
    lines.some((l) => /forged copy refused -320600/.test(l)),
    `the forged verdict carries -320600\n${log}`,
  )
  assert.ok(
    lines.some((l) => /ingress: accepted → 902 block \d+; forged tx refused -320600 \(HTTP 409\)/.test(l)),
    log,
  )
  assert.ok(s.ingress.refused.get(-320600) >= 1, `the first bad transaction is a forged one\n${log}`)
  assert.ok(
    lines.some((l) =>
      /^sweep round \d+: evicted 0x[0-9a-f]{8}… \(ConflictingData -320600: conflicting data: no log \d+ in block \d+ of chain 901\)/.test(
        l,
      ),
    ),
    log,
  )
  assert.is(
    s.sweep.evicted.get('ConflictingData'),
    s.sweep.evicted.total,
    `only the reorged-away transactions are evicted\n${log}`,
  )
  assert.ok(s.sweep.evicted.total <= s.ingress.reorged, log)
  assert.is(
    devnet.interop.ingress.acceptedSet.size,
    s.ingress.accepted - s.sweep.evicted.total,
    `evicted transactions leave the accepted set\n${log}`,
  )
  assert.ok(
    s.sequencer.bySource.get('local') >= s.sequencer.refused.get('min_gas_ratio'),
    'each min-gas-ratio refusal sealed the local block',
  )
  assert.is(s.transfers.failed, 0, log)
  assert.ok(lines.includes('stopped; totals:'), 'the totals are printed at the end')
  const anvils = pidsIn(lines[0]!)
  assert.equal(
    anvils,
    devnet.anvils.map((a) => a.pid),
  )
  for (const pid of anvils) assert.not.ok(alive(pid), `anvil ${pid} still running`)
})

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
    const pids = pidsIn(lines.join('\n'))
    assert.is(pids.length, 2, lines.join('\n'))
    for (const pid of pids) assert.not.ok(alive(pid), `anvil ${pid} still running`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('`superguard devnet` stops cleanly on Ctrl-C and leaves no process behind', async () => {
  const child = spawnCli(['devnet', '--interval', '200ms'], {}, { group: true })
  let out = ''
  let err = ''
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString()
  })
  const pids = await new Promise<number[]>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      if (/ingress: accepted → 902/.test(out)) resolve(pidsIn(out))
    })
    child.once('exit', (code) => reject(new Error(`devnet exited early (${code}): ${out}`)))
  })
  assert.is(pids.length, 2, out)
  // As a terminal does: SIGINT to the whole foreground process group, superguard and its anvils alike.
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
  for (const pid of pids) assert.not.ok(alive(pid), `anvil ${pid} still running after Ctrl-C`)
})

test.run()
