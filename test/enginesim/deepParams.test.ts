import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CAPABILITIES } from '../../src/enginesim/engineSimMethods.js'
import { NO_FAULTS, patchFaults } from '../../src/enginesim/faults.js'
import { InvalidParamsError } from '../../src/errors/index.js'
import { signJwt } from '../../src/rpc/jwt.js'
import { parseDuration } from '../../src/util/duration.js'
import { quantityToBigInt } from '../../src/util/hex.js'
import { type Sim, startSim } from './_helpers.js'

let s: Sim
test.before(async () => {
  s = await startSim()
})
test.after(async () => {
  await s?.close()
})

const DEPTH = 60_000
/** `[[[…]]]` 60k deep: JSON.parse takes it, anything that recurses on it overflows the stack. */
const deepArray = () => JSON.parse(`${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`) as unknown
const deepText = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`

const METHODS = [
  ...CAPABILITIES,
  'eth_chainId',
  'net_version',
  'web3_clientVersion',
  'eth_syncing',
  'eth_blockNumber',
  'eth_getBlockByNumber',
  'eth_getBlockByHash',
  'eth_sendRawTransaction',
  'eth_getTransactionByHash',
  'eth_getTransactionReceipt',
  'txpool_content',
  'sim_getFaults',
  'sim_setFaults',
]

test('params nested 60k deep: every method answers a result or a clear -32602/-32600, never the stack overflow', async () => {
  const shapes = [
    `[${deepText}]`,
    `[${deepText},${deepText},${deepText},${deepText}]`,
    `["latest",${deepText}]`,
    `[{"latency":${deepText}}]`,
  ]
  for (const method of METHODS) {
    for (const params of shapes) {
      const res = await fetch(s.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${signJwt(s.secret)}` },
        body: `{"jsonrpc":"2.0","id":1,"method":"${method}","params":${params}}`,
      })
      const text = await res.text()
      assert.not.match(text, /stack|RangeError/i, `${method}: ${text.slice(0, 200)}`)
      const answer = JSON.parse(text) as { result?: unknown; error?: { code: number; message: string } }
      if (answer.error) assert.ok([-32602, -32600].includes(answer.error.code), `${method}: ${text.slice(0, 200)}`)
    }
  }
  assert.equal(s.sim.faults, NO_FAULTS)
})

test('the recursions behind it: block tags, fault latency, quantities, durations', () => {
  const deep = deepArray()
  assert.throws(
    () => s.sim.blockByTag(deep),
    (e: unknown) => e instanceof TypeError && /^block: expected a hex quantity/.test(e.message),
  )
  assert.throws(
    () => s.sim.blockByTag(`0x${'f'.repeat(17)}`),
    (e: unknown) => e instanceof TypeError,
  )
  assert.is(s.sim.blockByTag('0x0'), s.sim.chain.genesis)
  assert.throws(
    () => patchFaults(NO_FAULTS, { latency: deep }),
    (e: unknown) => e instanceof InvalidParamsError && /latency: invalid duration/.test(e.message),
  )
  assert.throws(
    () => quantityToBigInt(deep),
    (e: unknown) => e instanceof TypeError && e.message === 'invalid quantity array',
  )
  assert.throws(
    () => quantityToBigInt(`0x${'z'.repeat(10_000)}`),
    (e: unknown) => e instanceof TypeError && e.message.length < 100,
  )
  assert.throws(
    () => parseDuration(deep as string),
    (e: unknown) => e instanceof TypeError && /^invalid duration/.test(e.message),
  )
  assert.is(parseDuration('2s'), 2000)
})

test.run()
