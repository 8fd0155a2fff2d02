import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { privateKeyToAccount } from 'viem/accounts'
import { BlockAssembler } from '../../src/builder/blockAssembler.js'
import { builderSpec } from '../../src/builder/options.js'
import { type BuilderHandle, startBuilder } from '../../src/builder/start.js'
import { loadConfig } from '../../src/config/index.js'
import { decodeTx, type Hex } from '../../src/engine/index.js'
import { type EngineSimHandle, startEngineSim } from '../../src/enginesim/start.js'
import { EMITTER_ADDRESS, EMITTER_TOPIC } from '../../src/evm/index.js'
import { freePort } from '../../src/util/freePort.js'
import { createLogger } from '../../src/util/logger.js'
import { jsonRpc } from '../_helpers/jsonRpc.js'
import { CHAIN_ID, type Env, jwtFile, mutate, proxyEnv, startJob } from '../sequencer/_env.js'

// The reference builder on EVM engine-sims: its paired engine-sim executes the transactions it
// chose (sim_buildBlock), so its blocks carry real roots and the sequencer's engine finds them
// VALID by re-execution; a builder block with a wrong state root is INVALID there and counts
// toward that builder's circuit breaker.

const dev = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const dev2 = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const sign = (acct: typeof dev, nonce: number, to: Hex, data: Hex = '0x', tipGwei = 1n) =>
  acct.signTransaction({
    type: 'eip1559',
    chainId: CHAIN_ID,
    nonce,
    to,
    value: 0n,
    gas: 150_000n,
    maxFeePerGas: 50_000_000_000n,
    maxPriorityFeePerGas: tipGwei * 1_000_000_000n,
    data,
  })

test('reference builder on EVM engine-sims: its block with real roots and logs is chosen and inserted', async () => {
  const port = await freePort()
  const jwt = jwtFile()
  const genesisTime = Math.floor(Date.now() / 1000) + 30
  const fJwt = jwtFile()
  let follower: EngineSimHandle | undefined
  let env: Env | undefined
  let builder: BuilderHandle | undefined
  try {
    follower = await startEngineSim({ execution: 'evm', jwtSecret: fJwt.secret, chainId: CHAIN_ID, genesisTime })
    env = await proxyEnv({
      builders: [],
      execution: 'evm',
      genesisTime,
      extraBuilders: [`http://127.0.0.1:${port},jwt=${jwt.path},name=ref`],
      opNode: { followers: [{ url: follower.url, jwtSecret: fJwt.secret }] },
    })
    assert.is(env.engine.genesisHash, follower.genesisHash, 'equal flags, equal genesis')
    const { config } = loadConfig(builderSpec, {
      argv: [
        ...['--listen', `127.0.0.1:${port}`, '--sequencer', env.seq.urls.builder, '--jwt-secret', jwt.path],
        ...['--engine', `${follower.url},jwt=${fJwt.path}`, '--resubmit-interval', '20ms'],
      ],
    })
    builder = await startBuilder(config, { logger: createLogger('silent') })
    const emit = await sign(dev, 0, EMITTER_ADDRESS, `0x${(2).toString(16).padStart(64, '0')}cafe`)
    assert.ok((await jsonRpc(builder.url, 'eth_sendRawTransaction', [emit])).result)
    const { started, job } = await startJob(env)
    const sub = await builder.waitForSubmission((s) => s.jobId === job.jobId && s.txs === 1)
    await env.seq.events.waitFor('validated', (v) => v.blockHash === sub.blockHash && v.valid)
    const got = await env.op.seal(started)
    assert.is(got.executionPayload.blockHash, sub.blockHash)
    assert.ok(got.executionPayload.transactions.includes(emit))
    await env.op.insert(got)
    const receipt = await follower.sim.receiptByHash(decodeTx(emit).hash)
    const logs = receipt?.logs as { topics: Hex[] }[]
    assert.is(logs.length, 2)
    assert.is(logs[0]!.topics[0], EMITTER_TOPIC)
    assert.is.not(got.executionPayload.stateRoot, follower.sim.chain.genesis.payload.stateRoot)
  } finally {
    await builder?.close()
    await env?.close()
    await follower?.close()
  }
})

test("a builder block with a wrong state root is INVALID by re-execution and opens the builder's breaker", async () => {
  const env = await proxyEnv({ builders: ['alice', 'bob'], execution: 'evm' })
  const [alice, bob] = env.builders
  const assembler = new BlockAssembler(alice!.engine, createLogger('silent'))
  try {
    const { started, job } = await startJob(env)
    const parent = await alice!.parent(job)
    for (let i = 0; i < 3; i++) {
      const b = (await assembler.assemble(job, parent, [
        decodeTx(await sign(dev, i, EMITTER_ADDRESS, `0x${'00'.repeat(32)}`)),
      ]))!
      const v = env.seq.events.waitFor('validated', (e) => e.builder === 'alice')
      assert.equal(await alice!.submit(mutate(b, { stateRoot: `0x${(0x40 + i).toString(16).repeat(32)}` })), {
        status: 'accepted',
      })
      const verdict = await v
      assert.not.ok(verdict.valid)
      assert.is(verdict.reason, 'invalid_block', 'the engine answered INVALID (invalid merkle root)')
    }
    const again = (await assembler.assemble(job, parent, [
      decodeTx(await sign(dev, 0, EMITTER_ADDRESS, `0x${'00'.repeat(32)}`)),
    ]))!
    assert.equal(await alice!.submitBlock(again), { status: 'rejected', reason: 'circuit_open' })
    const bobs = (await assembler.assemble(job, parent, [
      decodeTx(await sign(dev2, 0, EMITTER_ADDRESS, `0x${'00'.repeat(32)}`)),
    ]))!
    const v = env.seq.events.waitFor('validated', (e) => e.builder === 'bob')
    assert.equal(await bob!.submitBlock(bobs), { status: 'accepted' })
    assert.ok((await v).valid)
    const got = await env.op.seal(started)
    assert.is(got.executionPayload.blockHash, bobs.executionPayload.blockHash)
  } finally {
    await env.close()
  }
})

test.run()
