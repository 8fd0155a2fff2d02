import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { builderSpec } from '../../src/builder/options.js'
import { type BuilderHandle, startBuilder } from '../../src/builder/start.js'
import { loadConfig } from '../../src/config/index.js'
import { type EngineSimHandle, startEngineSim } from '../../src/enginesim/start.js'
import { signJwt } from '../../src/rpc/jwt.js'
import { createLogger } from '../../src/util/logger.js'
import { CHAIN_ID, jwtFile } from '../sequencer/_env.js'

// The audit of issue 7 item 2 for the reference builder's listener: builder_* check the sequencer's
// token inside the method, on the method table's own name, so no spelling reaches them without it.
let engine: EngineSimHandle
let builder: BuilderHandle
const jwt = jwtFile()
const jobs: unknown[] = []

test.before(async () => {
  const engineJwt = jwtFile()
  engine = await startEngineSim({ execution: 'sim', jwtSecret: engineJwt.secret, chainId: CHAIN_ID })
  // The sequencer is never called in this test: announcements are refused before anything is built.
  const { config } = loadConfig(builderSpec, {
    argv: [
      '--listen',
      '127.0.0.1:0',
      '--sequencer',
      'http://127.0.0.1:9',
      '--jwt-secret',
      jwt.path,
      '--engine',
      `${engine.url},jwt=${engineJwt.path}`,
    ],
  })
  builder = await startBuilder(config, { logger: createLogger('silent') })
  builder.events.on('job', (j: unknown) => jobs.push(j))
})
test.after(async () => {
  await builder?.close()
  await engine?.close()
})

const post = async (raw: string, authorization?: string) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (authorization) headers.authorization = authorization
  const res = await fetch(builder.url, { method: 'POST', headers, body: raw })
  return { status: res.status, text: await res.text() }
}
const codes = (text: string) =>
  text === '' ? [] : ([] as { error?: { code: number } }[]).concat(JSON.parse(text)).map((r) => r.error?.code ?? 0)

test('escaped names, duplicate keys, batch items and notifications reach builder_* only with the token', async () => {
  const job = '{"jobId":"0x01"}'
  assert.equal(
    codes((await post(`{"jsonrpc":"2.0","id":1,"method":"builder\\u005fstartBuilding","params":[${job}]}`)).text),
    [-32000],
  )
  assert.equal(
    codes(
      (await post(`{"jsonrpc":"2.0","id":1,"method":"eth_chainId","method":"builder_startBuilding","params":[${job}]}`))
        .text,
    ),
    [-32000],
  )
  assert.equal(
    codes(
      (
        await post(
          `[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"builder\\u005fdeadline","params":[${job}]}]`,
        )
      ).text,
    ),
    [0, -32000],
  )
  assert.equal(
    codes(
      (
        await post(
          `{"jsonrpc":"2.0","id":1,"method":"builder_startBuilding","params":[${job}]}`,
          `Bearer ${signJwt(jwtFile().secret)}`,
        )
      ).text,
    ),
    [-32000],
  )
  assert.is((await post(`{"jsonrpc":"2.0","method":"builder\\u005fstartBuilding","params":[${job}]}`)).status, 204)
  assert.equal(jobs, [])
  // With the token the same escaped call is looked at (and refused here only for its malformed job).
  assert.equal(
    codes(
      (
        await post(
          `{"jsonrpc":"2.0","id":1,"method":"builder\\u005fstartBuilding","params":[${job}]}`,
          `Bearer ${signJwt(jwt.secret)}`,
        )
      ).text,
    ),
    [-32602],
  )
})

test.run()
