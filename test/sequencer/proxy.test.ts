import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Hex } from '../../src/engine/types.js'
import { jsonRpc } from '../_helpers/jsonRpc.js'
import { depositTx } from '../_helpers/opNode.js'
import { bearer, type Env, mutate, proxyEnv, signedTx, startJob } from './_env.js'

const t = suite<{ env: Env }>('proxy mode', {} as { env: Env })
t.before.each(async (ctx) => {
  ctx.env = await proxyEnv({ builders: ['alice', 'bob'] })
})
t.after.each(async (ctx) => {
  await ctx.env.close()
})

const h32 = (b: number): Hex => `0x${b.toString(16).padStart(2, '0').repeat(32)}`

t("no builder block → the engine's own block", async ({ env }) => {
  const sealed = env.seq.events.waitFor('sealed')
  const got = await env.op.slot()
  const s = await sealed
  assert.is(s.source, 'local')
  assert.is(s.reason, 'no_candidates')
  assert.is(got.executionPayload.blockHash, s.blockHash)
  assert.ok(typeof s.engineMs === 'number' && s.engineMs > 0, "the engine's share of the seal is reported")
  assert.is(env.op.head.number, 1n)
})

t('builders hear of the job: attributes exactly as op-node sent them, deadline before the seal', async ({ env }) => {
  const { started, job } = await startJob(env)
  const call = await env.stub.waitFor((c) => c.method === 'builder_startBuilding')
  const p = call.params as Record<string, unknown>
  assert.is(p.jobId, job.jobId)
  assert.equal(p.attributes, started.attributes)
  assert.equal(p.parent, {
    hash: started.state.headBlockHash,
    number: '0x0',
    timestamp: `0x${(env.op.head.timestamp).toString(16)}`,
  })
  assert.is(p.engineVersion, 4)
  assert.is(p.deadline, Number(BigInt(started.attributes.timestamp)) * 1000 - 50 - 150)
  assert.not.equal(p.jobId, started.payloadId, 'our own job id, not the engine payload id')
  const current = await env.builders[0]!.rpc.call<{ jobId: string }>('pbs_getJob', [])
  assert.is(current.jobId, job.jobId)
})

t('valid builder block → chosen, and op-node inserts it', async ({ env }) => {
  const [alice] = env.builders
  const { started, job } = await startJob(env)
  const block = await alice!.block(job, [await signedTx(0, 0, 2)])
  const validated = env.seq.events.waitFor('validated')
  assert.equal(await alice!.submitBlock(block), { status: 'accepted' })
  assert.is((await validated).valid, true)
  const sealed = env.seq.events.waitFor('sealed')
  const got = await env.op.seal(started)
  assert.is(got.executionPayload.blockHash, block.executionPayload.blockHash)
  assert.equal((await sealed).builder, 'alice')
  await env.op.insert(got)
  assert.is(env.engine.sim.chain.head.hash, block.executionPayload.blockHash.toLowerCase())
  // The next slot builds on the builder block.
  const next = await env.op.slot()
  assert.is(next.executionPayload.parentHash, block.executionPayload.blockHash)
})

const WRONG: [string, (job: { parent: { hash: Hex } }) => Record<string, unknown>][] = [
  ['wrong_parent_hash', () => ({ parentHash: h32(0x11) })],
  ['wrong_block_number', () => ({ blockNumber: '0x2' })],
  ['wrong_timestamp', () => ({ timestamp: '0x1' })],
  ['wrong_prev_randao', () => ({ prevRandao: h32(0x12) })],
  ['wrong_fee_recipient', () => ({ feeRecipient: '0x4200000000000000000000000000000000000019' })],
  ['wrong_gas_limit', () => ({ gasLimit: '0x1c9c381' })],
  ['wrong_extra_data', () => ({ extraData: '0x00000000fa00000007' })],
  [
    'wrong_withdrawals',
    () => ({
      withdrawals: [
        { index: '0x0', validatorIndex: '0x0', address: '0x4200000000000000000000000000000000000016', amount: '0x1' },
      ],
    }),
  ],
  ['gas_used_exceeds_limit', () => ({ gasUsed: '0x1c9c381' })],
]

t('each wrong field, bad block hash, missing forced transaction → rejected with its reason', async ({ env }) => {
  const [alice] = env.builders
  const { started, job } = await startJob(env)
  const tx = await signedTx(0, 0, 2)
  const block = await alice!.block(job, [tx])
  for (const [reason, over] of WRONG) {
    assert.equal(await alice!.submit(mutate(block, over(job) as never)), { status: 'rejected', reason }, reason)
  }
  assert.equal(await alice!.submit(mutate(block, { stateRoot: h32(0x13) }, true)), {
    status: 'rejected',
    reason: 'bad_block_hash',
  })
  assert.equal(await alice!.submit(mutate(block, { transactions: [tx] })), {
    status: 'rejected',
    reason: 'missing_forced_transactions',
  })
  assert.equal(await alice!.submit(mutate(block, { transactions: [depositTx(99n), tx] })), {
    status: 'rejected',
    reason: 'missing_forced_transactions',
  })
  assert.equal(await alice!.submit({ ...mutate(block, {}), parentBeaconBlockRoot: h32(0x14) }), {
    status: 'rejected',
    reason: 'wrong_parent_beacon_block_root',
  })
  assert.equal(await alice!.submit({ ...mutate(block, {}), jobId: '0x0102030405060708' }), {
    status: 'rejected',
    reason: 'unknown_job',
  })
  const { withdrawalsRoot: _, ...v3 } = block.executionPayload
  assert.equal(await alice!.submit({ ...mutate(block, {}), executionPayload: v3 }), {
    status: 'rejected',
    reason: 'wrong_payload_version',
  })
  const sealed = env.seq.events.waitFor('sealed')
  await env.op.seal(started)
  assert.is((await sealed).source, 'local')
})

t('engine answers INVALID → not chosen', async ({ env }) => {
  const [alice] = env.builders
  const { started, job } = await startJob(env)
  const block = await alice!.block(job, [await signedTx(0, 0, 2)])
  const validated = env.seq.events.waitFor('validated')
  assert.equal(await alice!.submit(mutate(block, { stateRoot: h32(0x21) })), { status: 'accepted' })
  const v = await validated
  assert.equal([v.valid, v.reason], [false, 'invalid_block'])
  const sealed = env.seq.events.waitFor('sealed')
  await env.op.seal(started)
  assert.is((await sealed).source, 'local')
})

t('newer submission replaces the older one (even with a lower value)', async ({ env }) => {
  const [alice] = env.builders
  const { started, job } = await startJob(env)
  const rich = await alice!.block(job, [await signedTx(0, 0, 9)])
  const poor = await alice!.block(job, [await signedTx(1, 0, 1)])
  let v = env.seq.events.waitFor('validated')
  await alice!.submitBlock(rich)
  assert.ok((await v).valid)
  v = env.seq.events.waitFor('validated')
  await alice!.submitBlock(poor)
  assert.ok((await v).valid)
  const got = await env.op.seal(started)
  assert.is(got.executionPayload.blockHash, poor.executionPayload.blockHash)
})

t('newer submission invalid → the older one stays', async ({ env }) => {
  const [alice] = env.builders
  const { started, job } = await startJob(env)
  const good = await alice!.block(job, [await signedTx(0, 0, 2)])
  const bad = await alice!.block(job, [await signedTx(1, 0, 3)])
  let v = env.seq.events.waitFor('validated')
  await alice!.submitBlock(good)
  assert.ok((await v).valid)
  v = env.seq.events.waitFor('validated')
  await alice!.submit(mutate(bad, { receiptsRoot: h32(0x31) }))
  assert.not.ok((await v).valid)
  const got = await env.op.seal(started)
  assert.is(got.executionPayload.blockHash, good.executionPayload.blockHash)
})

t('two builders → the higher value wins', async ({ env }) => {
  const [alice, bob] = env.builders
  const { started, job } = await startJob(env)
  const a = await alice!.block(job, [await signedTx(0, 0, 2)])
  const b = await bob!.block(job, [await signedTx(1, 0, 7)])
  assert.ok(b.value > a.value)
  const both = Promise.all([
    env.seq.events.waitFor('validated', (e) => e.builder === 'alice'),
    env.seq.events.waitFor('validated', (e) => e.builder === 'bob'),
  ])
  await Promise.all([alice!.submitBlock(a), bob!.submitBlock(b)])
  await both
  const sealed = env.seq.events.waitFor('sealed')
  const got = await env.op.seal(started)
  assert.is(got.executionPayload.blockHash, b.executionPayload.blockHash)
  assert.is((await sealed).builder, 'bob')
})

t('dry-run: validated but the local block is used; disabled: no builder traffic', async ({ env }) => {
  const [alice] = env.builders
  const debug = env.seq.urls.debug
  assert.equal(
    (await jsonRpc(debug, 'debug_setExecutionMode', [{ execution_mode: 'dry_run' }], bearer(env.debugJwt.secret)))
      .result,
    { execution_mode: 'dry_run' },
  )
  assert.equal((await jsonRpc(debug, 'debug_getExecutionMode', [])).result, { execution_mode: 'dry_run' })
  let { started, job } = await startJob(env)
  const block = await alice!.block(job, [await signedTx(0, 0, 2)])
  const v = env.seq.events.waitFor('validated')
  assert.equal(await alice!.submitBlock(block), { status: 'accepted' })
  assert.ok((await v).valid)
  let sealed = env.seq.events.waitFor('sealed')
  let got = await env.op.seal(started)
  assert.not.equal(got.executionPayload.blockHash, block.executionPayload.blockHash)
  assert.equal([(await sealed).source, (await sealed).reason], ['local', 'dry_run'])
  await env.op.insert(got)

  assert.equal(
    (await jsonRpc(debug, 'debug_setExecutionMode', [{ execution_mode: 'disabled' }], bearer(env.debugJwt.secret)))
      .result,
    { execution_mode: 'disabled' },
  )
  assert.is(
    (await jsonRpc(debug, 'debug_setExecutionMode', [{ execution_mode: 'off' }], bearer(env.debugJwt.secret))).error
      ?.code,
    -32602,
  )
  const announced = env.stub.calls.length
  ;({ started, job } = await startJob(env))
  const b2 = await alice!.block(job, [await signedTx(1, 0, 2)])
  assert.equal(await alice!.submitBlock(b2), { status: 'rejected', reason: 'builders_disabled' })
  sealed = env.seq.events.waitFor('sealed')
  got = await env.op.seal(started)
  assert.equal((await sealed).reason, 'disabled')
  assert.is(env.stub.calls.length, announced, 'no builder_startBuilding in disabled mode')
})

t('circuit breaker: repeated invalid blocks → builder ignored; others still count', async ({ env }) => {
  const [alice, bob] = env.builders
  const { started, job } = await startJob(env)
  for (let i = 0; i < 3; i++) {
    const b = await alice!.block(job, [await signedTx(0, i, 2)])
    const v = env.seq.events.waitFor('validated', (e) => e.builder === 'alice')
    assert.equal(await alice!.submit(mutate(b, { stateRoot: h32(0x40 + i) })), { status: 'accepted' })
    assert.not.ok((await v).valid)
  }
  const b = await alice!.block(job, [await signedTx(0, 9, 2)])
  assert.equal(await alice!.submitBlock(b), { status: 'rejected', reason: 'circuit_open' })
  const bobs = await bob!.block(job, [await signedTx(1, 0, 1)])
  const v = env.seq.events.waitFor('validated', (e) => e.builder === 'bob')
  assert.equal(await bob!.submitBlock(bobs), { status: 'accepted' })
  assert.ok((await v).valid)
  const got = await env.op.seal(started)
  assert.is(got.executionPayload.blockHash, bobs.executionPayload.blockHash)
  const health = (await (await fetch(`${env.seq.urls.debug}/healthz`)).json()) as {
    builders: { id: string; circuit: string; ok: boolean }[]
  }
  assert.equal(
    health.builders.find((x) => x.id === 'alice'),
    { id: 'alice', url: env.stub.url, kind: 'pbs', ok: false, circuit: 'open' },
  )
})

t('forkchoice update without attributes and noTxPool blocks never reach builders', async ({ env }) => {
  await env.op.rpc.call('engine_forkchoiceUpdatedV3', [env.op.state(), null])
  const sealed = env.seq.events.waitFor('sealed')
  const b = await env.op.startBlock({ noTxPool: true })
  await env.op.insert(await env.op.seal(b))
  assert.is((await sealed).reason, 'no_job')
  const { job } = await startJob(env)
  const first = await env.stub.waitFor(() => true)
  assert.is(first.method, 'builder_startBuilding')
  assert.is((first.params as { jobId: string }).jobId, job.jobId, 'the first builder call is the first real job')
})

t('a big block is hashed on a worker thread: accepted when right, bad_block_hash when not', async ({ env }) => {
  const [alice] = env.builders
  const { started, job } = await startJob(env)
  const txs = await Promise.all(Array.from({ length: 100 }, (_, i) => signedTx(i % 8, Math.floor(i / 8), 1 + (i % 3))))
  const block = await alice!.block(job, txs)
  assert.is(block.executionPayload.transactions.length, 101)
  assert.equal(await alice!.submit(mutate(block, { stateRoot: h32(0x51) }, true)), {
    status: 'rejected',
    reason: 'bad_block_hash',
  })
  const v = env.seq.events.waitFor('validated')
  assert.equal(await alice!.submitBlock(block), { status: 'accepted' })
  assert.ok((await v).valid)
  const got = await env.op.seal(started)
  assert.is(got.executionPayload.blockHash, block.executionPayload.blockHash)
})

t('other engine_ and eth_ calls pass through; metrics count blocks by source', async ({ env }) => {
  assert.is(await env.op.rpc.call('eth_chainId', []), '0x385')
  const caps = await env.op.rpc.call<string[]>('engine_exchangeCapabilities', [[]])
  assert.ok(caps.includes('engine_newPayloadV4'))
  const e = await env.op.rpc
    .call('engine_getPayloadV4', ['0x0102030405060708'])
    .catch((err: { rpcCode: number }) => err.rpcCode)
  assert.is(e, -38001, 'engine errors keep their code')
  assert.is(
    (await jsonRpc(env.seq.urls.engine!, 'admin_peers', [], bearer(env.op.o.jwtSecret))).error?.code,
    -32601,
    'only engine_/eth_/… pass through',
  )
  await env.op.slot()
  const text = await (await fetch(`${env.seq.urls.debug}/metrics`)).text()
  assert.match(text, /superguard_sequencer_blocks_total\{source="local",reason="no_candidates"\} 1/)
  assert.match(text, /superguard_sequencer_event_loop_delay_seconds\{quantile="0.99"\}/)
  assert.match(text, /superguard_sequencer_execution_mode 3/)
  assert.match(text, /superguard_sequencer_engine_get_payload_seconds_count 1/)
})

t.run()
