import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type EngineSimHandle, startEngineSim } from '../../src/enginesim/start.js'
import type { SequencerConfig } from '../../src/sequencer/options.js'
import { type SequencerHandle, sequencerConfig, startSequencer } from '../../src/sequencer/start.js'
import { captureLog, type LogLine as Line } from '../_helpers/captureLog.js'
import { TcpPipe } from '../faults/tcpPipe.js'
import { CHAIN_ID, jwtFile } from './_env.js'

// 1 s blocks as in the report; outages of 3 block times keep the file near 15 s.
const BLOCK_MS = 1000
const OUTAGE_MS = 3000
const LOG_INTERVAL_MS = 1000

type OutageEnv = { engine: EngineSimHandle; pipe: TcpPipe; seq: SequencerHandle; lines: Line[]; close(): Promise<void> }

/** engine-sim ← TCP pipe ← standalone sequencer; the pipe can be killed and restored. */
async function outageEnv(config: Partial<Record<keyof SequencerConfig, unknown>> = {}): Promise<OutageEnv> {
  const jwt = jwtFile()
  const engine = await startEngineSim({
    execution: 'sim',
    jwtSecret: jwt.secret,
    chainId: CHAIN_ID,
    genesisTime: Math.floor(Date.now() / 1000) - 5,
  })
  const pipe = await TcpPipe.start(engine.url)
  const { logger, lines } = captureLog()
  const seq = await startSequencer(
    sequencerConfig({
      engine: `${pipe.url},jwt=${jwt.path}`,
      blockTime: BLOCK_MS,
      listenBuilder: '127.0.0.1:0',
      listenDebug: '127.0.0.1:0',
      maxUnsafeAge: 0,
      healthInterval: 200,
      engineTimeoutMs: 1000,
      failureLogInterval: LOG_INTERVAL_MS,
      ...config,
    }),
    { logger },
  )
  return {
    engine,
    pipe,
    seq,
    lines,
    async close() {
      await seq.close()
      await pipe.close()
      await engine.close()
    },
  }
}

/** Every job's timestamp against the wall clock when it was announced, and every sealed block's at its seal. */
function watchClock(env: OutageEnv): { aheadMs: number[]; stop(): void } {
  const aheadMs: number[] = []
  const offJob = env.seq.events.on('job', (j) =>
    aheadMs.push(Number(BigInt(j.attributes.timestamp)) * 1000 - Date.now()),
  )
  const offSealed = env.seq.events.on('sealed', (s) => {
    // The seal precedes the insert: read the timestamp from the job the block was built for.
    const job = env.seq.currentJob()
    if (job && job.jobId === s.jobId) aheadMs.push(Number(BigInt(job.attributes.timestamp)) * 1000 - Date.now())
  })
  return {
    aheadMs,
    stop() {
      offJob()
      offSealed()
    },
  }
}

/**
 * The outage scenario of issue 7: seal once, break the engine for OUTAGE_MS, mend it, and check the
 * clock (no timestamp more than a block time ahead), liveness (a seal within 2 block times), the
 * retry rate (bounded, backed off) and the log (a line per interval with a count, not per attempt).
 */
async function outage(env: OutageEnv, breakIt: () => Promise<void>, mendIt: () => Promise<void>): Promise<void> {
  await env.seq.events.waitFor('sealed')
  const clock = watchClock(env)
  let failed = 0
  const offErr = env.seq.events.on('error', (e) => {
    if (e.where === 'standalone_slot') failed++
  })
  const linesBefore = env.lines.length
  await breakIt()
  const brokeAt = Date.now()
  await env.seq.events.waitFor('error', (e) => e.where === 'standalone_slot', 2 * BLOCK_MS)
  // No event marks "the outage lasted long enough": wait it out.
  await new Promise((r) => setTimeout(r, OUTAGE_MS - (Date.now() - brokeAt)))
  const failedDuringOutage = failed
  const outageMs = Date.now() - brokeAt
  const sealed = env.seq.events.waitFor('sealed', () => true, 10 * BLOCK_MS)
  await mendIt()
  const mendedAt = Date.now()
  await sealed.catch(() => undefined)
  const resumeMs = Date.now() - mendedAt
  // The next block too: the cadence goes on from the wall clock.
  await env.seq.events.waitFor('sealed', () => true, 3 * BLOCK_MS).catch(() => undefined)
  clock.stop()
  offErr()

  const worst = Math.max(...clock.aheadMs)
  assert.ok(
    worst <= BLOCK_MS,
    `a timestamp ran ${worst} ms ahead of the wall clock (at most one block time, ${BLOCK_MS} ms)`,
  )
  assert.ok(
    resumeMs <= 2 * BLOCK_MS,
    `sealing resumed ${resumeMs} ms after the engine came back (at most 2 block times)`,
  )
  // Backed off: at most 4 attempts per block time (jittered delays of at least a quarter block), plus the ramp.
  const bound = Math.ceil(outageMs / (BLOCK_MS / 8)) + 6
  assert.ok(
    failedDuringOutage >= 2 && failedDuringOutage <= bound,
    `${failedDuringOutage} failed slots in ${outageMs} ms (expected 2..${bound})`,
  )

  const lines = env.lines.slice(linesBefore)
  const failLines = lines.filter((l) => l.level === 40 && /slot/.test(l.msg))
  const maxLines = Math.ceil(outageMs / LOG_INTERVAL_MS) + 2
  assert.ok(
    failLines.length >= 1 && failLines.length <= maxLines,
    `${failLines.length} slot-failure warnings for ${failed} failures (at most ${maxLines}: one per interval)`,
  )
  const counted = failLines.reduce((n, l) => n + (typeof l.failures === 'number' ? l.failures : 0), 0)
  const recovered = lines.find((l) => /recovered/.test(l.msg))
  assert.ok(recovered, 'a recovery line closes the outage')
  assert.is(recovered!.failures, failed, 'the recovery line counts every failed slot')
  assert.ok(counted >= 1 && counted <= failed, `warnings carry counts (${counted} of ${failed})`)
}

test('engine behind a pipe killed for 3 block times: clock stays on the wall clock, backs off, logs per interval, resumes', async () => {
  const env = await outageEnv()
  try {
    await outage(
      env,
      () => env.pipe.kill('refuse'),
      () => env.pipe.restore(),
    )
    const text = await (await fetch(`${env.seq.urls.debug}/metrics`)).text()
    assert.match(text, /superguard_sequencer_slot_failures_total \d+/)
    assert.match(text, /superguard_sequencer_consecutive_slot_failures 0/)
  } finally {
    await env.close()
  }
})

test('engine connections reset for 3 block times: same bounds', async () => {
  const env = await outageEnv()
  try {
    await outage(
      env,
      () => env.pipe.kill('reset'),
      () => env.pipe.restore(),
    )
  } finally {
    await env.close()
  }
})

test('engine answering errors for 3 block times (injected fault): same bounds', async () => {
  const env = await outageEnv()
  try {
    const set = (errorMethods: string[]) => {
      env.engine.sim.faults = { ...env.engine.sim.faults, errorMethods }
    }
    await outage(
      env,
      async () => set(['engine_forkchoiceUpdatedV3']),
      async () => set([]),
    )
  } finally {
    await env.close()
  }
})

test.run()
