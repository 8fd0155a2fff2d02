import { once } from 'node:events'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startDevnet } from '../../src/devnet/devnet.js'
import { devnetConfig } from '../../src/devnet/options.js'
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

test('the embedded default validates generated messages, refuses forged ones and stops everything it started', async () => {
  const lines: string[] = []
  const devnet = await startDevnet(devnetConfig({ argv: ['--duration', '3s', '--interval', '200ms'] }), createLogger('silent'), (l) => lines.push(l))
  await devnet.done
  await devnet.close()
  assert.ok(devnet.counts.valid >= 1, `no message validated: ${lines.join('\n')}`)
  assert.is(devnet.counts.refused, devnet.counts.valid, 'every forged copy is refused')
  assert.is(devnet.counts.unexpected, 0, lines.join('\n'))
  assert.ok(lines.some((l) => /forged copy refused \(-320600/.test(l)), 'the forged verdict carries -320600')
  for (const a of devnet.anvils) assert.not.ok(alive(a.pid), `anvil ${a.pid} still running`)
})

test('`superguard devnet` stops cleanly on Ctrl-C and leaves no process behind', async () => {
  const child = spawnCli(['devnet', '--interval', '200ms'])
  let out = ''
  const pids = await new Promise<number[]>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      if (/executed in/.test(out)) resolve([...out.matchAll(/pid (\d+)/g)].map((m) => Number(m[1])))
    })
    child.once('exit', (code) => reject(new Error(`devnet exited early (${code}): ${out}`)))
  })
  assert.is(pids.length, 2, out)
  child.kill('SIGINT')
  const [code] = await once(child, 'exit')
  assert.is(code, 0)
  for (const pid of pids) assert.not.ok(alive(pid), `anvil ${pid} still running after Ctrl-C`)
})

test.run()
