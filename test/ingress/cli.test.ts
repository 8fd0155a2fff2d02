import { once } from 'node:events'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { runCli, spawnCli } from '../_helpers/cli.js'
import { type SupervisorDouble, startSupervisorDouble } from '../_helpers/supervisorDouble.js'
import { startUpstreamDouble, type UpstreamDouble } from '../_helpers/upstreamDouble.js'

let upstream: UpstreamDouble
let supervisor: SupervisorDouble

test.before(async () => {
  upstream = await startUpstreamDouble({ chainId: 901n })
  supervisor = await startSupervisorDouble()
})

test('--help lists every option', async () => {
  const { code, stdout } = await runCli(['ingress', '--help'])
  assert.is(code, 0)
  for (const flag of [
    '--host',
    '--port',
    '--upstream',
    '--builder',
    '--supervisor',
    '--strategy',
    '--min-responses',
    '--supervisor-timeout',
    '--failover-cooldown',
    '--max-entries',
    '--body-limit',
    '--rate-limit',
    '--rate-interval',
    '--allow-method',
    '--chain-id',
    '--accepted-max',
    '--log-level',
  ]) {
    assert.ok(stdout.includes(flag), flag)
  }
})

test('bad usage exits 2 with every problem listed', async () => {
  const { code, stderr } = await runCli(['ingress', '--supervisor', 'nope', '--strategy', 'best'])
  assert.is(code, 2)
  assert.match(stderr, /--upstream is required/)
  assert.match(stderr, /expected one of agreement, first, any, failover/)
  const urls = await runCli(['ingress', '--upstream', upstream.url, '--supervisor', 'nope', '--min-responses', '3'])
  assert.is(urls.code, 2)
  assert.match(urls.stderr, /--supervisor: expected an http\(s\) URL/)
  assert.match(urls.stderr, /--min-responses 3 exceeds the number of supervisors \(1\)/)
})

test('serves until SIGTERM, then exits 0', async () => {
  const child = spawnCli(['ingress', '--port', '0', '--upstream', upstream.url, '--supervisor', supervisor.url])
  let out = ''
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"ingress listening"/.exec(out)
      if (m) resolve(m[1]!)
    })
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)))
  })
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' }),
  })
  assert.equal(await res.json(), { jsonrpc: '2.0', id: 1, result: '0x385' })
  child.kill('SIGTERM')
  const [code] = await once(child, 'exit')
  assert.is(code, 0)
})

test.after(async () => {
  await Promise.all([upstream.close(), supervisor.close()])
})
test.run()
