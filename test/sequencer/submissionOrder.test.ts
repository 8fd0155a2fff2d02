import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { submissionOf } from '../../src/builder/assemble.js'
import { startEngineSim } from '../../src/enginesim/start.js'
import { CHAIN_ID, type Env, jwtFile, proxyEnv, signedTx, startJob } from './_env.js'

// Issue 11: a builder may number its resubmissions (`sequence`, strictly increasing per job, as
// op-rbuilder orders its own): the newest replaces the older ones, an equal or lower one is
// `stale_sequence`. And --max-submission-bytes bounds the uncompressed block, not only the request.
// Real sequencer (proxy mode), engine-sim and op-node stand-in on 127.0.0.1.

let env: Env
test.before(async () => {
  env = await proxyEnv()
})
test.after(() => env?.close())

test('sequence: higher replaces (and is sealed), equal or lower is stale_sequence; a bad one is malformed', async () => {
  const [alice] = env.builders
  const { started, job } = await startJob(env)
  const one = await alice!.block(job, [await signedTx(0, 0, 2)])
  const two = await alice!.block(job, [await signedTx(0, 0, 3)])
  assert.equal(await alice!.submit({ ...submissionOf(one), sequence: '0x5' }), { status: 'accepted' })
  assert.equal(await alice!.submit({ ...submissionOf(two), sequence: '0x5' }), {
    status: 'rejected',
    reason: 'stale_sequence',
  })
  assert.equal(await alice!.submit({ ...submissionOf(two), sequence: 4 }), {
    status: 'rejected',
    reason: 'stale_sequence',
  })
  const validated = env.seq.events.waitFor('validated', (v) => v.blockHash === two.executionPayload.blockHash)
  assert.equal(await alice!.submit({ ...submissionOf(two), sequence: '0x6' }), { status: 'accepted' })
  assert.ok((await validated).valid)
  const sealed = await env.op.seal(started)
  assert.is(sealed.executionPayload.blockHash, two.executionPayload.blockHash, 'the newest sequence wins')
  await env.op.insert(sealed)
  const next = await startJob(env)
  const three = await alice!.block(next.job, [])
  const malformed = await alice!.submit({ ...submissionOf(three), sequence: 'soon' }).catch((e: Error) => e)
  assert.instance(malformed, Error)
  assert.match((malformed as Error).message, /sequence/)
  await env.op.insert(await env.op.seal(next.started))
})

test('--max-submission-bytes also bounds the uncompressed block of an Engine-API builder: block_too_large', async () => {
  // An Engine-API builder's payload is pulled with engine_getPayload, so no request body limit
  // applies to it: the block's own size does (as op-reth's --rollup.max-uncompressed-block-size).
  const bJwt = jwtFile()
  const genesisTime = Math.floor(Date.now() / 1000) - 10
  const builderEngine = await startEngineSim({
    execution: 'sim',
    jwtSecret: bJwt.secret,
    chainId: CHAIN_ID,
    genesisTime,
  })
  const small = await proxyEnv({
    builders: [],
    opNode: { clock: 'wall' },
    config: { builderEngine: [`${builderEngine.url},jwt=${bJwt.path},name=rbuilder`], maxSubmissionBytes: 1024 },
    genesisTime,
  })
  try {
    for (let n = 0; n < 4; n++) await builderEngine.sim.sendRawTransaction(await signedTx(2, n, 3))
    const judged = small.seq.events.waitFor('submission', (e) => e.builder === 'engine:rbuilder')
    const { started } = await startJob(small)
    assert.equal((await judged).result, { status: 'rejected', reason: 'block_too_large' })
    const sealed = small.seq.events.waitFor('sealed')
    await small.op.seal(started)
    assert.is((await sealed).source, 'local')
  } finally {
    await small.close()
    await builderEngine.close()
  }
})

test.run()
