import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import { runCli, spawnCli } from '../_helpers/cli.js'
import { jsonRpc } from '../_helpers/jsonRpc.js'

// The real CLI as a child process: it logs the bound address, serves, and exits 0 on SIGTERM.

const dir = mkdtempSync(join(tmpdir(), 'sg-supervisor-cli-'))
let anvil: Anvil

test.before(async () => {
  anvil = await startAnvil({ chainId: 901 })
})

test.after(async () => {
  await anvil?.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('superguard supervisor serves on the logged address and stops on SIGTERM', async () => {
  const db = join(dir, 'nested', 'supervisor.db')
  const child = spawnCli(['supervisor', '--rpc', anvil.url, '--port', '0', '--db', db, '--poll', '200ms'])
  const exited = once(child, 'exit')
  try {
    let stderr = ''
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    const lines = createInterface({ input: child.stdout! })
    let url: string | undefined
    for await (const line of lines) {
      const rec = JSON.parse(line) as { msg?: string; url?: string }
      if (rec.msg === 'supervisor listening') {
        url = rec.url
        break
      }
    }
    assert.ok(url, `no "supervisor listening" line; stderr: ${stderr}`)
    assert.match(url!, /^http:\/\/127\.0\.0\.1:\d+$/)
    const status = await jsonRpc(url!, 'supervisor_syncStatus')
    assert.ok(status.result !== undefined || status.error?.code === -320400, JSON.stringify(status))
    assert.is((await jsonRpc(url!, 'admin_setFailsafeEnabled', [true])).error?.code, -32601) // no --admin-jwt-secret
    assert.is((await jsonRpc(url!, 'admin_getFailsafeEnabled')).result, false) // public, as op-interop-filter
    child.kill('SIGTERM')
    const [code] = await exited
    assert.is(code, 0, stderr)
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
})

test('superguard supervisor without --rpc exits 2 with the problem', async () => {
  const r = await runCli(['supervisor', '--port', '0'])
  assert.is(r.code, 2)
  assert.match(r.stderr, /--rpc is required/)
})

test('superguard supervisor --help lists every option with its env name', async () => {
  const r = await runCli(['supervisor', '--help'])
  assert.is(r.code, 0)
  for (const flag of [
    '--rpc',
    '--backend',
    '--db',
    '--backfill',
    '--poll',
    '--port',
    '--host',
    '--admin-jwt-secret',
    '--failsafe',
    '--max-batch',
    '--body-limit',
  ])
    assert.ok(r.stdout.includes(flag), flag)
  assert.match(r.stdout, /SUPERGUARD_SUPERVISOR_ADMIN_JWT_SECRET/)
})

test.run()
