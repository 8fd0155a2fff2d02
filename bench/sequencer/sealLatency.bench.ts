import { Worker } from 'node:worker_threads'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { sequencerConfig, startSequencer } from '../../src/sequencer/sequencer.js'
import { createLogger } from '../../src/util/logger.js'
import { ratio, report } from '../_harness.js'
import type { BuilderJob, BuilderStats } from './_builderWorker.js'
import type { OpNodeJob, OpNodeResult } from './_opNodeWorker.js'
import { jwtFile, pct, r2, runWorker, sibling, startEngineProcess } from './_procs.js'

// Seal latency (op-node's engine_getPayload round trip) in three set-ups, same slot pacing:
//   (a) op-node → engine-sim directly
//   (b) op-node → superguard (proxy mode) → engine-sim, no builders
//   (c) as (b), with 4 builders resubmitting valid blocks every 50 ms
// Placement on 2 cores: engine-sim in a child process (own heap and GC, as geth), superguard on this
// process's main thread, the op-node stand-in on a worker thread (it observes answers without
// sharing superguard's event loop), builders on another worker thread (c only).
// Targets: p99(c) / p99(b) ≤ 1.10; p99(b) − p99(a) ≤ 2 ms.
const SLOTS = Number(process.env.SLOTS ?? 200)
const ROUNDS = Number(process.env.ROUNDS ?? 2)
const SLOT_MS = Number(process.env.SLOT_MS ?? 100)
const WARMUP = 10
/** For profiling one set-up alone, e.g. SETUPS=proxy. */
const SETUPS = (process.env.SETUPS ?? 'direct,proxy,builders').split(',') as Setup[]
const BUILDERS = 4
const RESUBMIT_MS = 50

type Setup = 'direct' | 'proxy' | 'builders'

async function round(setup: Setup, slots: number) {
  const engine = await startEngineProcess()
  const opJwt = jwtFile()
  const builderJwts = Array.from({ length: BUILDERS }, () => jwtFile())
  let builderWorker: Worker | undefined
  let builderUrl: string | undefined
  if (setup === 'builders') {
    const job: BuilderJob = {
      engineUrl: engine.url, engineJwtHex: engine.jwt.hex, intervalMs: RESUBMIT_MS, txsPerBuilder: 16,
      builders: builderJwts.map((j, i) => ({ name: `b${i}`, jwtHex: j.hex })),
    }
    builderWorker = new Worker(sibling('_builderWorker.js'), { workerData: job })
    builderUrl = await new Promise<string>((resolve, reject) => {
      builderWorker!.once('message', (m: { url: string }) => resolve(m.url))
      builderWorker!.once('error', reject)
    })
  }
  const seq = setup === 'direct' ? undefined : await startSequencer(sequencerConfig({
    engine: `${engine.url},jwt=${engine.jwt.path}`,
    jwtSecret: opJwt.path,
    listenEngine: '127.0.0.1:0', listenBuilder: '127.0.0.1:0', listenDebug: '127.0.0.1:0',
    builder: builderUrl ? builderJwts.map((j, i) => `${builderUrl},jwt=${j.path},name=b${i}`) : [],
    maxUnsafeAge: 0,
    logLevel: 'silent',
  }), { logger: createLogger('silent') })
  builderWorker?.postMessage({ builderApi: seq!.urls.builder })
  const counts = { accepted: 0, rejected: 0, validated: 0, valid: 0, sealedBuilder: 0 }
  seq?.events.on('submission', (s) => { if (s.result.status === 'accepted') counts.accepted++; else counts.rejected++ })
  seq?.events.on('validated', (v) => { counts.validated++; if (v.valid) counts.valid++ })
  seq?.events.on('sealed', (s) => { if (s.source === 'builder') counts.sealedBuilder++ })
  const loop = monitorEventLoopDelay({ resolution: 1 })
  loop.enable()

  const opJob: OpNodeJob = seq
    ? { engineUrl: seq.urls.engine!, jwtHex: opJwt.hex, slots, warmup: WARMUP, slotMs: SLOT_MS }
    : { engineUrl: engine.url, jwtHex: engine.jwt.hex, slots, warmup: WARMUP, slotMs: SLOT_MS }
  const res = await runWorker<OpNodeResult>('_opNodeWorker.js', opJob)
  loop.disable()

  let stats: BuilderStats | undefined
  if (builderWorker) {
    stats = await new Promise<BuilderStats>((resolve) => {
      builderWorker!.on('message', (m: { stats?: BuilderStats }) => { if (m.stats) resolve(m.stats) })
      builderWorker!.postMessage({ stop: true })
    })
    await builderWorker.terminate()
  }
  await seq?.close()
  await engine.stop()
  return { sealMs: res.sealMs, builderBlocks: res.builderBlocks, counts, stats, loopP99Ms: loop.percentile(99) / 1e6 }
}

const all: Record<Setup, number[]> = { direct: [], proxy: [], builders: [] }
const perRound: Record<string, unknown>[] = []
let builderInfo: Record<string, unknown> = {}
const started = performance.now()
for (let r = 0; r < ROUNDS; r++) {
  // Interleaved rounds: slow drifts of a shared machine hit every set-up alike.
  for (const setup of SETUPS) {
    const out = await round(setup, Math.ceil(SLOTS / ROUNDS))
    all[setup].push(...out.sealMs)
    perRound.push({ round: r, setup, p50: r2(pct(out.sealMs, 50)), p99: r2(pct(out.sealMs, 99)), ...(setup === 'direct' ? {} : { seqLoopP99Ms: r2(out.loopP99Ms) }) })
    if (setup === 'builders') {
      const prev = builderInfo as { builderBlocks?: number; slots?: number; accepted?: number; validatedValid?: number; submitted?: number; rejected?: Record<string, number> }
      builderInfo = {
        slots: (prev.slots ?? 0) + out.sealMs.length,
        builderBlocks: (prev.builderBlocks ?? 0) + out.builderBlocks,
        submitted: (prev.submitted ?? 0) + (out.stats?.submitted ?? 0),
        accepted: (prev.accepted ?? 0) + out.counts.accepted,
        validatedValid: (prev.validatedValid ?? 0) + out.counts.valid,
        rejected: { ...prev.rejected, ...out.stats?.rejected },
      }
    }
  }
}

const summary = (xs: number[]) => ({ n: xs.length, p50: r2(pct(xs, 50)), p90: r2(pct(xs, 90)), p99: r2(pct(xs, 99)), max: r2(Math.max(...xs)) })
const summaryOf = (xs: number[]) => (xs.length ? summary(xs) : { n: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN })
const a = summaryOf(all.direct)
const b = summaryOf(all.proxy)
const c = summaryOf(all.builders)
report('sequencer.sealLatency', {
  direct: a, proxy: b, builders: c,
  ratioBuildersProxyP99: ratio(c.p99, b.p99), targetRatio: 1.1,
  addedP99Ms: r2(b.p99 - a.p99), addedP50Ms: r2(b.p50 - a.p50), targetAddedP99Ms: 2,
  builderRun: builderInfo,
  rounds: perRound,
  config: { slots: SLOTS, rounds: ROUNDS, slotMs: SLOT_MS, builders: BUILDERS, resubmitMs: RESUBMIT_MS, warmupSlotsPerRound: WARMUP, engine: 'child process', opNode: 'worker thread', superguard: 'main thread', buildersOn: 'worker thread' },
  seconds: Math.round((performance.now() - started) / 1000),
})
