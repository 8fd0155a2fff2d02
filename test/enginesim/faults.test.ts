import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RemoteRpcError } from '../../src/rpc/client.js'
import { build, headOf, newPayloadV4, type Sim, startSim } from './_helpers.js'

let s: Sim
let replica: Sim
test.before(async () => {
  ;[s, replica] = await Promise.all([startSim(), startSim({ faults: { invalidEvery: 2 } })])
})
test.after(async () => {
  await Promise.all([s?.close(), replica?.close()])
})

const setFaults = (sim: Sim, patch: Record<string, unknown>) => sim.engine.call('sim_setFaults', [patch])

test('--invalid-every N: every Nth newPayload is INVALID, the others VALID; the fault is not remembered', async () => {
  const genesis = await headOf(s)
  const siblings = []
  for (let i = 1; i <= 4; i++)
    siblings.push((await build(s, genesis, { prevRandao: `0x${i.toString(16).padStart(64, '0')}` })).executionPayload)
  const statuses = []
  for (const p of siblings) statuses.push(await newPayloadV4(replica, p))
  assert.equal(
    statuses.map((r) => r.status),
    ['VALID', 'INVALID', 'VALID', 'INVALID'],
  )
  assert.match(statuses[1]!.validationError!, /injected fault/)
  assert.is(statuses[1]!.latestValidHash, genesis.hash)
  await setFaults(replica, { invalidEvery: 0 })
  assert.is((await newPayloadV4(replica, siblings[1]!)).status, 'VALID')
})

test('fail rate 1 makes every newPayload INVALID; 0 none', async () => {
  const parent = await headOf(s)
  const env = await build(s, parent)
  await setFaults(s, { failRate: 1 })
  assert.is((await newPayloadV4(s, env.executionPayload)).status, 'INVALID')
  await setFaults(s, { failRate: 0 })
  assert.is((await newPayloadV4(s, env.executionPayload)).status, 'VALID')
})

test('forceStatus answers ACCEPTED or SYNCING for blocks that would be VALID', async () => {
  const parent = await headOf(s)
  const one = await build(s, parent, { prevRandao: `0x${'0a'.repeat(32)}` })
  const two = await build(s, parent, { prevRandao: `0x${'0b'.repeat(32)}` })
  await setFaults(s, { forceStatus: 'ACCEPTED' })
  assert.equal(await newPayloadV4(s, one.executionPayload), {
    status: 'ACCEPTED',
    latestValidHash: null,
    validationError: null,
  })
  await setFaults(s, { forceStatus: 'SYNCING' })
  assert.is((await newPayloadV4(s, two.executionPayload)).status, 'SYNCING')
  await setFaults(s, { forceStatus: null })
  assert.is((await newPayloadV4(s, two.executionPayload)).status, 'VALID')
})

test('--error-method makes a method answer -32603; latency still answers correctly', async () => {
  await setFaults(s, { errorMethods: ['engine_getPayloadV4', 'eth_blockNumber'], latency: '20ms' })
  const err = await s.eth.call('eth_blockNumber').catch((e: unknown) => e)
  assert.instance(err, RemoteRpcError)
  assert.is((err as RemoteRpcError).rpcCode, -32603)
  const parent = await headOf(s)
  const fail = await build(s, parent).catch((e: unknown) => e)
  assert.is((fail as RemoteRpcError).rpcCode, -32603)
  const faults = await setFaults(s, { errorMethods: [], latency: 0 })
  assert.equal(faults, { latencyMs: 0, failRate: 0, invalidEvery: 0, errorMethods: [], forceStatus: null })
  assert.ok((await build(s, parent)).executionPayload.blockHash)
})

test('sim_setFaults validates its input and needs the JWT', async () => {
  for (const bad of [
    { failRate: 2 },
    { invalidEvery: -1 },
    { nope: 1 },
    { forceStatus: 'VALID' },
    { latency: 'soon' },
  ]) {
    const err = await setFaults(s, bad).catch((e: unknown) => e)
    assert.is((err as RemoteRpcError).rpcCode, -32602, JSON.stringify(bad))
  }
  const unauth = await s.eth.call('sim_setFaults', [{ failRate: 1 }]).catch((e: unknown) => e)
  assert.match(String(unauth), /HTTP 401/)
  assert.equal(await s.engine.call('sim_getFaults'), {
    latencyMs: 0,
    failRate: 0,
    invalidEvery: 0,
    errorMethods: [],
    forceStatus: null,
  })
})

test.run()
