import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startEngineSim } from '../../src/enginesim/index.js'
import { RpcClient } from '../../src/rpc/client.js'
import { runCli, spawnCli } from '../_helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'engine-sim-cli-'))
const secret = randomBytes(32)
const secretFile = join(dir, 'jwt.hex')
writeFileSync(secretFile, secret.toString('hex'))
test.after(() => rmSync(dir, { recursive: true, force: true }))

test('superguard engine-sim serves the Engine API with JWT and stops on SIGTERM', async () => {
  const child = spawnCli([
    'engine-sim',
    '--port',
    '0',
    '--jwt-secret',
    secretFile,
    '--chain-id',
    '902',
    '--genesis-time',
    '1700000000',
    '--fork',
    'holocene',
  ])
  const exited = once(child, 'exit')
  try {
    // The listening log line (pino JSON) carries the port.
    const port = await new Promise<number>((resolve, reject) => {
      let out = ''
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString()
        const m = /"port":(\d+).*engine-sim listening/.exec(out)
        if (m) resolve(Number(m[1]))
      })
      child.once('exit', (code) => reject(new Error(`engine-sim exited with ${code}: ${out}`)))
    })
    const url = `http://127.0.0.1:${port}`
    const engine = new RpcClient(url, { jwtSecret: secret })
    const eth = new RpcClient(url)
    try {
      assert.is(await eth.call('eth_chainId'), '0x386')
      assert.ok((await engine.call<string[]>('engine_exchangeCapabilities', [[]])).includes('engine_newPayloadV3'))
      // Same flags as a library instance → same genesis.
      const lib = await startEngineSim({
        jwtSecret: secret,
        chainId: 902,
        genesisTime: 1_700_000_000,
        fork: 'holocene',
      })
      const g = await eth.call<{ hash: string }>('eth_getBlockByNumber', ['0x0', false])
      assert.is(g.hash, lib.genesisHash)
      await lib.close()
    } finally {
      engine.close()
      eth.close()
    }
  } finally {
    child.kill('SIGTERM')
    const [code] = await exited
    assert.is(code, 0)
  }
})

test('--help lists the options; a missing --jwt-secret is a usage error', async () => {
  const help = await runCli(['engine-sim', '--help'])
  assert.is(help.code, 0)
  for (const flag of [
    '--jwt-secret',
    '--chain-id',
    '--genesis-time',
    '--latency',
    '--fail-rate',
    '--invalid-every',
    '--error-method',
    '--fork',
  ])
    assert.ok(help.stdout.includes(flag), flag)
  const bad = await runCli(['engine-sim', '--port', '0'])
  assert.is(bad.code, 2)
  assert.match(bad.stderr, '--jwt-secret is required')
  writeFileSync(join(dir, 'short.hex'), 'abcd')
  const short = await runCli(['engine-sim', '--port', '0', '--jwt-secret', join(dir, 'short.hex')])
  assert.is(short.code, 2)
  assert.match(short.stderr, 'must be 32 bytes of hex')
})

test.run()
