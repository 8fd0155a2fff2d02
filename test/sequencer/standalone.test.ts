import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type EngineSimHandle, startEngineSim } from '../../src/enginesim/start.js'
import { createRpcServer } from '../../src/rpc/server.js'
import type { SequencerEventMap } from '../../src/sequencer/events.js'
import type { SequencerConfig } from '../../src/sequencer/options.js'
import { type SequencerHandle, sequencerConfig, startSequencer } from '../../src/sequencer/start.js'
import { createLogger } from '../../src/util/logger.js'
import { builderStub, CHAIN_ID, jwtFile, signedTx, TestBuilder } from './_env.js'

const GENESIS = Math.floor(Date.now() / 1000) - 5

type StandaloneEnv = {
  engine: EngineSimHandle
  replicas: EngineSimHandle[]
  seq: SequencerHandle
  builder: TestBuilder
  close(): Promise<void>
}

async function standaloneEnv(
  o: { replicas?: number; config?: Partial<Record<keyof SequencerConfig, unknown>> } = {},
): Promise<StandaloneEnv> {
  const jwt = jwtFile()
  const genesisTime = GENESIS
  const engine = await startEngineSim({ execution: 'sim', jwtSecret: jwt.secret, chainId: CHAIN_ID, genesisTime })
  const replicas = await Promise.all(
    Array.from({ length: o.replicas ?? 2 }, () =>
      startEngineSim({ execution: 'sim', jwtSecret: jwt.secret, chainId: CHAIN_ID, genesisTime }),
    ),
  )
  const stub = await builderStub()
  const bJwt = jwtFile()
  const seq = await startSequencer(
    sequencerConfig({
      engine: `${engine.url},jwt=${jwt.path}`,
      blockTime: 400,
      noticeMs: 100,
      replica: replicas.map((r) => `${r.url},jwt=${jwt.path}`),
      builder: [`${stub.url},jwt=${bJwt.path},name=alice`],
      listenBuilder: '127.0.0.1:0',
      listenDebug: '127.0.0.1:0',
      maxUnsafeAge: 0,
      logLevel: 'silent',
      ...o.config,
    }),
    { logger: createLogger('silent') },
  )
  const builder = new TestBuilder('alice', seq.urls.builder, engine.url, jwt.secret, bJwt)
  return {
    engine,
    replicas,
    seq,
    builder,
    async close() {
      builder.close()
      await seq.close()
      await stub.close()
      await Promise.all([engine, ...replicas].map((e) => e.close()))
    },
  }
}

test('standalone: our clock seals blocks and publishes each to every replica', async () => {
  const env = await standaloneEnv()
  try {
    const first = await env.seq.events.waitFor('published')
    const second = await env.seq.events.waitFor('published')
    assert.is(second.number, first.number + 1n)
    assert.is(second.replicas, 2)
    for (const r of env.replicas) assert.is(r.sim.chain.byNumber(second.number)?.hash, second.blockHash.toLowerCase())
    assert.is(env.engine.sim.chain.byNumber(second.number)?.hash, second.blockHash.toLowerCase())
    assert.is(env.seq.mode, 'standalone')
  } finally {
    await env.close()
  }
})

test('standalone: a builder block is chosen, inserted and published', async () => {
  const env = await standaloneEnv()
  try {
    const tx = await signedTx(0, 0, 2)
    // The deadline is 200 ms into each 400 ms slot: on a loaded machine a slot can be missed, so try the next.
    let accepted:
      | { block: Awaited<ReturnType<TestBuilder['block']>>; sealed: Promise<SequencerEventMap['sealed']> }
      | undefined
    for (let i = 0; i < 5 && !accepted; i++) {
      const job = await env.seq.events.waitFor('job')
      const block = await env.builder.block(job, [tx])
      const sealed = env.seq.events.waitFor('sealed', (e) => e.jobId === job.jobId)
      const r = await env.builder.submitBlock(block)
      if (r.status === 'accepted') accepted = { block, sealed }
      else assert.is(r.reason, 'past_deadline')
    }
    assert.ok(accepted, 'a submission made it before a deadline')
    const { block } = accepted!
    const s = await accepted!.sealed
    assert.equal([s.source, s.builder, s.blockHash], ['builder', 'alice', block.executionPayload.blockHash])
    assert.ok(typeof s.engineMs === 'number' && s.engineMs > 0, "the engine's getPayload time is reported")
    const pub = await env.seq.events.waitFor('published', (p) => p.blockHash === block.executionPayload.blockHash)
    assert.is(pub.replicas, 2)
    assert.is(env.replicas[0]!.sim.chain.head.number >= pub.number, true)
    assert.is(env.engine.sim.chain.byNumber(pub.number)?.hash, block.executionPayload.blockHash.toLowerCase())
  } finally {
    await env.close()
  }
})

test('standalone: an Engine-API builder follows our chain through publication and its blocks win', async () => {
  const bJwt = jwtFile()
  const rb = await startEngineSim({ execution: 'sim', jwtSecret: bJwt.secret, chainId: CHAIN_ID, genesisTime: GENESIS })
  const env = await standaloneEnv({ replicas: 0, config: { builderEngine: [`${rb.url},jwt=${bJwt.path},name=rb`] } })
  try {
    for (let i = 0; i < 2; i++) {
      await rb.sim.sendRawTransaction(await signedTx(4, i, 3))
      const s = await env.seq.events.waitFor('sealed', (e) => e.builder === 'engine:rb')
      await env.seq.events.waitFor('published', (p) => p.blockHash === s.blockHash)
      assert.is(env.engine.sim.chain.byNumber(s.number)?.hash, s.blockHash.toLowerCase())
    }
  } finally {
    await env.close()
    await rb.close()
  }
})

test('standalone with op-conductor: commit before publishing; a follower neither builds nor publishes', async () => {
  let leader = true
  let commitFails = false
  const commits: string[] = []
  const leaderCalls: boolean[] = []
  const waiters: (() => void)[] = []
  const conductor = createRpcServer({
    methods: new Map<string, (p: readonly unknown[]) => unknown>([
      [
        'conductor_leader',
        () => {
          leaderCalls.push(leader)
          for (const w of waiters.splice(0)) w()
          return leader
        },
      ],
      [
        'conductor_commitUnsafePayload',
        (p) => {
          if (commitFails) throw new Error('not the leader')
          commits.push((p[0] as { executionPayload: { blockHash: string } }).executionPayload.blockHash)
          return null
        },
      ],
    ]),
    logger: createLogger('silent'),
  })
  await conductor.listen({ host: '127.0.0.1', port: 0 })
  const env = await standaloneEnv({
    replicas: 1,
    config: { conductor: `http://127.0.0.1:${(conductor.server.address() as AddressInfo).port}` },
  })
  try {
    const pub = await env.seq.events.waitFor('published')
    assert.ok(commits.includes(pub.blockHash), 'committed before it was published')

    commitFails = true
    const err = await env.seq.events.waitFor('error', (e) => e.where === 'conductor_commit')
    assert.ok(err)
    const headAfterFailure = env.engine.sim.chain.head.number
    const replicaHead = env.replicas[0]!.sim.chain.head.number

    leader = false
    const since = leaderCalls.length
    while (leaderCalls.slice(since).filter((l) => !l).length < 2) await new Promise<void>((r) => waiters.push(r))
    assert.is(env.engine.sim.chain.head.number, headAfterFailure, 'a failed commit is not inserted')
    assert.is(env.replicas[0]!.sim.chain.head.number, replicaHead, 'nor published')
  } finally {
    await env.close()
    await conductor.close()
  }
})

test.run()
