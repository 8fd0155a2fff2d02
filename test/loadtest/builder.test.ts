import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type EngineSimHandle, startEngineSim } from '../../src/enginesim/start.js'
import { runLoadtest } from '../../src/loadtest/index.js'
import { type SequencerHandle, sequencerConfig, startSequencer } from '../../src/sequencer/start.js'
import { createLogger } from '../../src/util/logger.js'
import { builderStub, CHAIN_ID, jwtFile } from '../sequencer/_env.js'

// The builder kind against superguard's standalone sequencer (1 s slots, no request rate limit) on engine-sim: the
// current job followed, well-formed blocks accepted (or refused only for load: rate, job moved on),
// malformed ones never accepted, and the sequencer's seal timing read from its debug listener.

let engine: EngineSimHandle
let seq: SequencerHandle
let stub: Awaited<ReturnType<typeof builderStub>>
const builderJwt = jwtFile()

test.before(async () => {
  const jwt = jwtFile()
  engine = await startEngineSim({
    jwtSecret: jwt.secret,
    chainId: CHAIN_ID,
    // the loadtest's valid blocks follow the stand-in's execution rules (README: Builder)
    execution: 'sim',
    genesisTime: Math.floor(Date.now() / 1000) - 5,
  })
  stub = await builderStub()
  seq = await startSequencer(
    sequencerConfig({
      engine: `${engine.url},jwt=${jwt.path}`,
      blockTime: 1000,
      noticeMs: 100,
      builderRequestsPerSecond: 0,
      builder: [`${stub.url},jwt=${builderJwt.path},name=alice`],
      listenBuilder: '127.0.0.1:0',
      listenDebug: '127.0.0.1:0',
      maxUnsafeAge: 0,
      logLevel: 'silent',
    }),
    { logger: createLogger('silent') },
  )
})

test.after(async () => {
  await seq?.close()
  await stub?.close()
  await engine?.close()
})

test('builder: well-formed blocks accepted or refused for load only, malformed never accepted, seal timing read', async () => {
  const r = await runLoadtest({
    kind: 'builder',
    target: seq.urls.builder,
    jwtSecret: builderJwt.path,
    rpc: [engine.url],
    debug: seq.urls.debug,
    duration: '2s',
    connections: 4,
    progress: 'off',
  })
  assert.equal(r.wrongVerdicts, {}, JSON.stringify(r.wrongExamples.slice(0, 3)))
  assert.is(r.garbage, 0)
  assert.ok((r.codes.accepted ?? 0) > 0, JSON.stringify(r.codes))
  assert.ok((r.cases.malformed ?? 0) > 0)
  // the malformed ones are refused by content: -32602 (a missing field), wrong parent, bad hash
  const refusals = Object.keys(r.codes).filter((c) => c !== 'accepted')
  assert.ok(refusals.includes('-32602') || refusals.some((c) => c.startsWith('rejected:')), JSON.stringify(r.codes))
  assert.ok((r.extra.jobs as number) >= 2, `followed ${r.extra.jobs} jobs`)
  const timing = r.extra.sequencer as { deadlineToSeal: { count: number }; eventLoopDelayMs: { p99: number | null } }
  // 1 s slots over a 2 s run: a loaded box may seal only twice
  assert.ok(timing.deadlineToSeal.count >= 1, JSON.stringify(timing))
  assert.type(timing.eventLoopDelayMs.p99, 'number')
})

test.run()
