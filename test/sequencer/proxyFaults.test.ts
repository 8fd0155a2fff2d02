import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startEngineSim } from '../../src/enginesim/start.js'
import { createRpcServer } from '../../src/rpc/server.js'
import { createLogger } from '../../src/util/logger.js'
import { jsonRpc } from '../_helpers/jsonRpc.js'
import { bearer, builderStub, CHAIN_ID, jwtFile, mutate, proxyEnv, signedTx, startJob } from './_env.js'

test('submission after the deadline → rejected, not used', async () => {
  const env = await proxyEnv({ opNode: { clock: 'wall' } })
  try {
    const [alice] = env.builders
    const { started, job } = await startJob(env)
    const block = await alice!.block(job, [await signedTx(0, 0, 2)])
    await env.seq.events.waitFor('deadline', (j) => j.jobId === job.jobId)
    assert.equal(await alice!.submitBlock(block), { status: 'rejected', reason: 'past_deadline' })
    const got = await env.op.seal(started)
    assert.not.equal(got.executionPayload.blockHash, block.executionPayload.blockHash)
  } finally {
    await env.close()
  }
})

test('builder down, slow or flooding → the local block, and the sequencer goes on', async () => {
  const slow = await builderStub({ hang: true })
  const down = jwtFile()
  const slowJwt = jwtFile()
  const env = await proxyEnv({
    builders: ['flood'],
    extraBuilders: [`http://127.0.0.1:9,jwt=${down.path},name=down`, `${slow.url},jwt=${slowJwt.path},name=slow`],
    config: { builderTimeoutMs: 100, maxSubmissionsPerJob: 5, builderRequestsPerSecond: 20 },
  })
  try {
    const [flood] = env.builders
    const seen = new Set<string | number>()
    for (let slot = 0; slot < 2; slot++) {
      const { started, job } = await startJob(env)
      await slow.waitFor((c) => (c.params as { jobId: string }).jobId === job.jobId)
      const block = await flood!.block(job, [await signedTx(0, slot, 2)])
      const junk = mutate(block, { stateRoot: `0x${'ab'.repeat(32)}` }, true)
      const answers = await Promise.allSettled(Array.from({ length: 60 }, () => flood!.submit(junk)))
      const reasons = new Set(
        answers.map((a) =>
          a.status === 'fulfilled'
            ? a.value.reason
            : ((a.reason as { rpcCode?: number; status?: number }).rpcCode ?? 'transport'),
        ),
      )
      // The bucket (40 burst, 20/s) may still be empty from slot 0 when slot 1 floods, so each slot
      // only has to answer with these; across both slots the junk is judged and the flood limited.
      for (const r of reasons) {
        assert.ok(
          ['bad_block_hash', 'circuit_open', 'rate_limited', -32017].includes(r as never),
          `unexpected answer ${r}`,
        )
        seen.add(r ?? 'accepted')
      }
      const sealed = env.seq.events.waitFor('sealed')
      const got = await env.op.seal(started)
      assert.is((await sealed).source, 'local')
      await env.op.insert(got)
    }
    assert.ok(seen.has('bad_block_hash'), `junk judged: ${[...seen].join()}`)
    assert.ok(seen.has(-32017) || seen.has('rate_limited'), `flooding is limited: ${[...seen].join()}`)
    assert.is(env.op.head.number, 2n)
    // Two slots can pass before the slow builder's first call has timed out (100 ms): await its verdict.
    if (env.seq.health.status() !== 'partial') await env.seq.events.waitFor('health', (e) => e.status === 'partial')
    const h = await fetch(`${env.seq.urls.builder}/healthz`)
    const body = (await h.json()) as { builders: { id: string; ok: boolean }[] }
    assert.equal(
      body.builders
        .filter((b) => !b.ok)
        .map((b) => b.id)
        .sort(),
      ['down', 'flood', 'slow'],
    )
    assert.is(h.status, 206, 'engine fine, no builder fine')
  } finally {
    await env.close()
    await slow.close()
  }
})

test('JWT: builder listener and engine listener refuse missing, wrong and stale tokens', async () => {
  const env = await proxyEnv()
  try {
    const alice = env.builders[0]!
    const url = env.seq.urls.builder
    const post = (headers: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'pbs_getJob', params: [] }),
      })
    assert.is((await post({})).status, 401)
    assert.is((await post(bearer(jwtFile().secret))).status, 401)
    const stale = await post(bearer(alice.secret, Math.floor(Date.now() / 1000) - 120))
    assert.is(stale.status, 401)
    assert.match(((await stale.json()) as { error: { message: string } }).error.message, /stale/)
    assert.is((await post({ authorization: 'Bearer a.b.c' })).status, 401)
    const ok = await post(bearer(alice.secret))
    assert.is(ok.status, 200)
    assert.equal(await ok.json(), { jsonrpc: '2.0', id: 1, result: null })
    // A builder cannot claim another identity through the header the auth hook sets.
    assert.is((await post({ 'x-superguard-builder': 'alice' })).status, 401)
    const eng = await fetch(env.seq.urls.engine!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    })
    assert.is(eng.status, 401)
    assert.is((await jsonRpc(env.seq.urls.engine!, 'eth_chainId', [], bearer(alice.secret))).error?.code, -32000)
  } finally {
    await env.close()
  }
})

test('builder listener: over the per-builder request rate → HTTP 429 with a JSON-RPC error', async () => {
  const env = await proxyEnv({ config: { builderRequestsPerSecond: 5 } })
  try {
    const alice = env.builders[0]!
    const post = () =>
      fetch(env.seq.urls.builder, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(alice.secret) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'pbs_getJob', params: [] }),
      })
    const statuses: number[] = []
    let refused: { error: { message: string } } | undefined
    for (let i = 0; i < 30; i++) {
      const res = await post()
      statuses.push(res.status)
      if (res.status === 429) refused ??= (await res.json()) as { error: { message: string } }
      else await res.arrayBuffer()
    }
    // Burst 10 (twice the rate): the first ten are served, most of the rest refused.
    assert.equal(statuses.slice(0, 10), Array(10).fill(200))
    assert.ok(statuses.filter((s) => s === 429).length >= 10, statuses.join(','))
    assert.match(refused!.error.message, /over rate limit/)
  } finally {
    await env.close()
  }
})

test('oversize or malformed submissions → an error, and the process goes on', async () => {
  const env = await proxyEnv({ config: { maxSubmissionBytes: 64 * 1024 } })
  try {
    const alice = env.builders[0]!
    const { started, job } = await startJob(env)
    const headers = { 'content-type': 'application/json', ...bearer(alice.secret) }
    const big = await fetch(env.seq.urls.builder, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'pbs_submitBlock',
        params: [{ jobId: job.jobId, pad: 'x'.repeat(100_000) }],
      }),
    })
    assert.is(big.status, 413)
    assert.is(((await big.json()) as { error: { code: number } }).error.code, -32021)
    const garbled = await fetch(env.seq.urls.builder, {
      method: 'POST',
      headers,
      body: '{"jsonrpc":"2.0","id":1,"method":"pbs_sub',
    })
    assert.is(((await garbled.json()) as { error: { code: number } }).error.code, -32700)
    const bad = await jsonRpc(
      env.seq.urls.builder,
      'pbs_submitBlock',
      [{ jobId: job.jobId, executionPayload: { parentHash: 7 } }],
      bearer(alice.secret),
    )
    assert.is(bad.error?.code, -32602)
    assert.equal(bad.error?.data, { reason: 'malformed_submission', field: 'executionPayload.parentHash' })
    assert.is(
      (await jsonRpc(env.seq.urls.builder, 'pbs_submitBlock', ['nope'], bearer(alice.secret))).error?.code,
      -32602,
    )
    const block = await alice.block(job, [await signedTx(0, 0, 2)])
    const v = env.seq.events.waitFor('validated')
    assert.equal(await alice.submitBlock(block), { status: 'accepted' })
    assert.ok((await v).valid)
    const got = await env.op.seal(started)
    assert.is(got.executionPayload.blockHash, block.executionPayload.blockHash)
  } finally {
    await env.close()
  }
})

test('/healthz: 200, then 503 when the engine is down; supervisor down → 503', async () => {
  let supervisorUp = true
  const sup = createRpcServer({
    methods: new Map([
      [
        'supervisor_syncStatus',
        () => {
          if (!supervisorUp) throw new Error('down')
          return {}
        },
      ],
    ]),
    logger: createLogger('silent'),
  })
  await sup.listen({ host: '127.0.0.1', port: 0 })
  const env = await proxyEnv({
    config: { supervisor: `http://127.0.0.1:${(sup.server.address() as AddressInfo).port}` },
  })
  try {
    const healthz = async () => (await fetch(`${env.seq.urls.debug}/healthz`)).status
    await env.seq.health.probe()
    assert.is(await healthz(), 200)
    supervisorUp = false
    await env.seq.health.probe()
    assert.is(await healthz(), 503)
    supervisorUp = true
    await env.seq.health.probe()
    assert.is(await healthz(), 200)
    await env.engine.close()
    await env.seq.health.probe()
    assert.is(await healthz(), 503)
    const body = (await (await fetch(`${env.seq.urls.debug}/healthz`)).json()) as {
      status: string
      engine: { ok: boolean }
    }
    assert.equal([body.status, body.engine.ok], ['unhealthy', false])
  } finally {
    await env.close().catch(() => undefined)
    await sup.close()
  }
})

test('Engine-API builder: gets the forkchoice update, its payload is pulled before the deadline and wins', async () => {
  const bJwt = jwtFile()
  // Same chain id and genesis as the sequencer's engine, so it shares the chain; boost sync keeps it following.
  const genesisTime = Math.floor(Date.now() / 1000) - 10
  const builderEngine = await startEngineSim({
    execution: 'sim',
    jwtSecret: bJwt.secret,
    chainId: CHAIN_ID,
    genesisTime,
  })
  const env = await proxyEnv({
    builders: [],
    opNode: { clock: 'wall' },
    config: { builderEngine: [`${builderEngine.url},jwt=${bJwt.path},name=rbuilder`] },
    genesisTime,
  })
  try {
    await builderEngine.sim.sendRawTransaction(await signedTx(2, 0, 3))
    const { started, job } = await startJob(env)
    const v = await env.seq.events.waitFor('validated', (e) => e.builder === 'engine:rbuilder' && e.jobId === job.jobId)
    assert.ok(v.valid)
    const got = await env.op.seal(started)
    assert.is(got.executionPayload.blockHash, v.blockHash)
    assert.is(got.executionPayload.transactions.length, 2)
    await env.op.insert(got)
    // op-node's newPayload and forkchoice update are relayed so the builder follows the chain: it builds the next block too.
    await builderEngine.sim.sendRawTransaction(await signedTx(2, 1, 3))
    const second = await startJob(env)
    const v2 = await env.seq.events.waitFor(
      'validated',
      (e) => e.builder === 'engine:rbuilder' && e.jobId === second.job.jobId,
    )
    assert.ok(v2.valid)
    assert.is((await env.op.seal(second.started)).executionPayload.blockHash, v2.blockHash)
  } finally {
    await env.close()
    await builderEngine.close()
  }
})

test('Holocene (V3 payloads): a builder block is chosen through engine_getPayloadV3', async () => {
  const env = await proxyEnv({ fork: 'holocene' })
  try {
    const alice = env.builders[0]!
    const { started, job } = await startJob(env)
    assert.is(job.engineVersion, 3)
    const block = await alice.block(job, [await signedTx(0, 0, 2)])
    assert.is(block.executionPayload.withdrawalsRoot, undefined)
    const v = env.seq.events.waitFor('validated')
    assert.equal(await alice.submitBlock(block), { status: 'accepted' })
    assert.ok((await v).valid)
    const got = await env.op.seal(started)
    assert.is(got.executionPayload.blockHash, block.executionPayload.blockHash)
    assert.not.ok('executionRequests' in got)
    await env.op.insert(got)
  } finally {
    await env.close()
  }
})

test.run()
