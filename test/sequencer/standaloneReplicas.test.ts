import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type EngineSimHandle, startEngineSim } from '../../src/enginesim/start.js'
import type { SequencerConfig } from '../../src/sequencer/options.js'
import type { ReplicaStatus } from '../../src/sequencer/replicas.js'
import { type SequencerHandle, sequencerConfig, startSequencer } from '../../src/sequencer/start.js'
import { captureLog, type LogLine as Line } from '../_helpers/captureLog.js'
import { TcpPipe } from '../faults/tcpPipe.js'
import { CHAIN_ID, jwtFile } from './_env.js'

type ReplicaEnv = {
  jwt: { path: string; secret: Buffer }
  genesisTime: number
  engine: EngineSimHandle
  direct: EngineSimHandle
  piped: EngineSimHandle
  pipe: TcpPipe
  seq: SequencerHandle
  lines: Line[]
  close(): Promise<void>
}

/** engine-sim + standalone sequencer publishing to two replicas: one direct, one behind a TCP pipe (name=piped). */
async function replicaEnv(config: Partial<Record<keyof SequencerConfig, unknown>> = {}): Promise<ReplicaEnv> {
  const jwt = jwtFile()
  const genesisTime = Math.floor(Date.now() / 1000) - 5
  const [engine, direct, piped] = await Promise.all(
    [0, 1, 2].map(() => startEngineSim({ execution: 'sim', jwtSecret: jwt.secret, chainId: CHAIN_ID, genesisTime })),
  )
  const pipe = await TcpPipe.start(piped!.url)
  const { logger, lines } = captureLog()
  const seq = await startSequencer(
    sequencerConfig({
      engine: `${engine!.url},jwt=${jwt.path}`,
      blockTime: 500,
      replica: [`${direct!.url},jwt=${jwt.path},name=direct`, `${pipe.url},jwt=${jwt.path},name=piped`],
      listenBuilder: '127.0.0.1:0',
      listenDebug: '127.0.0.1:0',
      maxUnsafeAge: 0,
      engineTimeoutMs: 1000,
      failureLogInterval: 1000,
      ...config,
    }),
    { logger },
  )
  const env: ReplicaEnv = {
    jwt,
    genesisTime,
    engine: engine!,
    direct: direct!,
    piped: piped!,
    pipe,
    seq,
    lines,
    async close() {
      await seq.close()
      await pipe.close()
      await Promise.all([env.engine, env.direct, env.piped].map((e) => e.close()))
    },
  }
  return env
}

async function healthz(
  env: ReplicaEnv,
): Promise<{ code: number; body: { laggingReplicas?: string[]; replicas?: ReplicaStatus[] } }> {
  const r = await fetch(`${env.seq.urls.debug}/healthz`)
  return { code: r.status, body: (await r.json()) as never }
}

async function metric(env: ReplicaEnv, name: string, replica: string): Promise<number> {
  const text = await (await fetch(`${env.seq.urls.debug}/metrics`)).text()
  const m = new RegExp(`^${name}\\{replica="${replica}"\\} (\\S+)$`, 'm').exec(text)
  return m ? Number(m[1]) : 0
}

/** Blocks the sequencer publishes while `piped` takes none. */
async function missBlocks(env: ReplicaEnv, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await env.seq.events.waitFor('published', (p) => p.replicas === 1)
}

/** Resolves once the piped replica took our newest block; then its chain must equal ours, block by block. */
async function caughtUp(env: ReplicaEnv): Promise<void> {
  for (;;) {
    const taken = await env.seq.events.waitFor('replica', (r) => r.replica === 'piped' && r.outcome === 'taken', 10_000)
    if (taken.number === env.engine.sim.chain.head.number) break
  }
  const head = env.engine.sim.chain.head.number
  for (let n = 1n; n <= head; n++)
    assert.is(
      env.piped.sim.chain.byNumber(n)?.hash,
      env.engine.sim.chain.byNumber(n)!.hash,
      `block ${n} on the caught-up replica`,
    )
  assert.is(env.piped.sim.chain.head.hash, env.engine.sim.chain.head.hash)
}

test('a replica cut off for a few blocks is reported (health, metrics, warn) and caught up in order once back', async () => {
  const env = await replicaEnv()
  try {
    await env.seq.events.waitFor('published', (p) => p.replicas === 2)
    await env.pipe.kill('refuse')
    await missBlocks(env, 3)

    const h = await healthz(env)
    assert.is(h.code, 200, 'a lagging replica is named, not a failed sequencer')
    assert.equal(h.body.laggingReplicas, ['piped'])
    const piped = h.body.replicas!.find((r) => r.replica === 'piped')!
    assert.is(piped.status, 'lagging')
    assert.ok(piped.lagBlocks >= 3, `lag ${piped.lagBlocks}`)
    assert.ok(piped.lastError)
    assert.ok((await metric(env, 'superguard_sequencer_replica_lag_blocks', 'piped')) >= 3)
    assert.is((await metric(env, 'superguard_sequencer_replica_lag_blocks', 'direct')) <= 1, true)
    assert.ok((await metric(env, 'superguard_sequencer_replica_publish_failures_total', 'piped')) >= 1)
    // The blocks it missed are not counted as published to it.
    const [pubPiped, pubDirect] = [
      await metric(env, 'superguard_sequencer_published_total', 'piped'),
      await metric(env, 'superguard_sequencer_published_total', 'direct'),
    ]
    assert.ok(pubDirect - pubPiped >= 3, `published: piped ${pubPiped}, direct ${pubDirect}`)
    const warns = env.lines.filter((l) => l.level === 40 && l.msg === 'replica publish failed' && l.replica === 'piped')
    assert.ok(warns.length >= 1 && warns.length <= 6, `${warns.length} warnings (one per interval)`)

    await env.pipe.restore()
    await caughtUp(env)
    const after = await healthz(env)
    assert.equal(after.body.laggingReplicas, [])
    assert.is((await metric(env, 'superguard_sequencer_replica_lag_blocks', 'piped')) <= 1, true)
    assert.ok(env.lines.some((l) => l.msg === 'replica publish failed: recovered' && l.replica === 'piped'))
    assert.ok((await metric(env, 'superguard_sequencer_published_total', 'piped')) >= pubDirect)
  } finally {
    await env.close()
  }
})

test('a replica answering SYNCING (it kept none of the blocks) is found behind and sent what it lacks', async () => {
  const env = await replicaEnv()
  try {
    await env.seq.events.waitFor('published', (p) => p.replicas === 2)
    env.piped.sim.faults = { ...env.piped.sim.faults, forceStatus: 'SYNCING' }
    await missBlocks(env, 3)
    assert.equal((await healthz(env)).body.laggingReplicas, ['piped'])
    env.piped.sim.faults = { ...env.piped.sim.faults, forceStatus: null }
    await caughtUp(env)
    assert.equal((await healthz(env)).body.laggingReplicas, [])
  } finally {
    await env.close()
  }
})

test('a replica further behind than --replica-backlog is resent the older blocks from our own engine', async () => {
  const env = await replicaEnv({ replicaBacklog: 2 })
  try {
    await env.seq.events.waitFor('published', (p) => p.replicas === 2)
    await env.pipe.kill('refuse')
    await missBlocks(env, 4)
    await env.pipe.restore()
    // Nobody hands blocks over: header (eth_getBlockByNumber) + body (engine_getPayloadBodiesByRangeV1) of our engine.
    await caughtUp(env)
    assert.equal((await healthz(env)).body.laggingReplicas, [])
  } finally {
    await env.close()
  }
})

test('a replica that restarted empty is rebuilt from genesis through the publisher', async () => {
  const env = await replicaEnv({ replicaBacklog: 2 })
  try {
    for (let i = 0; i < 4; i++) await env.seq.events.waitFor('published', (p) => p.replicas === 2)
    // Same port, same genesis, no blocks: the pipe now reaches the new engine.
    const port = Number(new URL(env.piped.url).port)
    await env.piped.close()
    env.piped = await startEngineSim({
      execution: 'sim',
      jwtSecret: env.jwt.secret,
      chainId: CHAIN_ID,
      genesisTime: env.genesisTime,
      port,
    })
    assert.is(env.piped.sim.chain.head.number, 0n)
    await caughtUp(env)
    assert.ok(env.piped.sim.chain.head.number > 4n)
  } finally {
    await env.close()
  }
})

test('without blocks from its engine, a replica further behind than --replica-backlog is reported stranded, and resumes once it synced elsewhere', async () => {
  const env = await replicaEnv({ replicaBacklog: 2 })
  try {
    // An engine that cannot give old blocks (the fault stands for one without engine_getPayloadBodiesByRangeV1).
    env.engine.sim.faults = { ...env.engine.sim.faults, errorMethods: ['engine_getPayloadBodiesByRangeV1'] }
    await env.seq.events.waitFor('published', (p) => p.replicas === 2)
    await env.pipe.kill('refuse')
    await missBlocks(env, 4)
    await env.pipe.restore()
    await env.seq.events.waitFor('replica', (r) => r.replica === 'piped' && r.outcome === 'failed')
    const stranded = (await healthz(env)).body.replicas!.find((r) => r.replica === 'piped')!
    assert.is(stranded.status, 'stranded')
    assert.match(stranded.lastError!, /--replica-backlog/)
    // It syncs from a peer (here: the direct replica's blocks, handed over in-process).
    const from = env.piped.sim.chain.head.number + 1n
    for (let n = from; n <= env.direct.sim.chain.head.number; n++) {
      const b = env.direct.sim.chain.byNumber(n)!
      await env.piped.sim.newPayload(
        b.executionRequests ? 4 : 3,
        b.payload,
        [],
        b.parentBeaconBlockRoot,
        b.executionRequests,
      )
      await env.piped.sim.forkchoiceUpdated(
        { headBlockHash: b.hash, safeBlockHash: b.hash, finalizedBlockHash: b.hash },
        null,
      )
    }
    await caughtUp(env)
    assert.equal((await healthz(env)).body.laggingReplicas, [])
  } finally {
    await env.close()
  }
})

test.run()
