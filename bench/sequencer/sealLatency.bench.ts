import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import { sequencerConfig, startSequencer } from '../../src/sequencer/start.js'
import { createLogger } from '../../src/util/logger.js'
import { ratio, report } from '../_harness.js'
import { startBareProxy } from './_bareProxy.js'
import type { BuilderJob, BuilderStats } from './_builderWorker.js'
import type { OpNodeJob, OpNodeResult } from './_opNodeWorker.js'
import { jwtFile, mainThreadCpuMs, pct, processCpuMs, r2, runWorker, sibling, startEngineProcess } from './_procs.js'

/**
 * Seal latency (op-node's engine_getPayload round trip) in these set-ups, same slot pacing:
 *   (a) direct:   op-node → engine-sim
 *   (a') bare:    op-node → a bare node:http forwarding proxy → engine-sim (the price of one more hop)
 *   (b) proxy:    op-node → superguard (proxy mode) → engine-sim, no builders
 *   (c) builders: as (b), with 4 builders resubmitting valid blocks every 50 ms
 *   SLOTS=200 ROUNDS=4 MODE=fast node dist/bench/sequencer/sealLatency.bench.js
 * Placement on 2 cores: engine-sim in a child process (own heap and GC, as geth), superguard (or the
 * bare proxy) on this process's main thread, the op-node stand-in on a worker thread (it observes
 * answers without sharing superguard's event loop), builders on another worker thread (c only).
 * Rounds interleave the set-ups so bursts of load from elsewhere on the machine hit them alike.
 * Targets: p99(c) / p99(b) ≤ 1.10; superguard's added latency p99 ≤ 2 ms, measured per seal in (b)
 * as op-node's time minus the engine's getPayload time superguard saw on that call (also reported:
 * the same in (c), and the unpaired p99(b) − p99(a)).
 *
 * MODE=fast (default): 100 ms slots on timestamps that run ahead of the clock (parent + 1 s), so the
 * job deadline never arrives: builders submit, and superguard validates, right up to the seal — the
 * worst case. MODE=wall: 1 s slots on the clock, op-node seals at timestamp − 50 ms, superguard's
 * deadline (seal − 150 ms validation budget) applies and the builders stop 25 ms before it, as the
 * protocol is meant to run.
 */
const MODE = (process.env.MODE ?? 'fast') as 'fast' | 'wall'
// p99 of 600 seals is their 6th worst: fewer make it one stray scheduling hiccup.
const SLOTS = Number(process.env.SLOTS ?? (MODE === 'fast' ? 600 : 60))
const ROUNDS = Number(process.env.ROUNDS ?? (MODE === 'fast' ? 4 : 2))
const SLOT_MS = Number(process.env.SLOT_MS ?? 100)
const SEAL_LEAD_MS = 50
const WARMUP = MODE === 'fast' ? 10 : 3
/** For profiling one set-up alone, e.g. SETUPS=proxy. */
const SETUPS = (process.env.SETUPS ?? 'direct,bare,proxy,builders').split(',') as Setup[]
const BUILDERS = 4
const RESUBMIT_MS = 50

type Setup = 'direct' | 'bare' | 'proxy' | 'builders'

async function round(setup: Setup, slots: number) {
  const engine = await startEngineProcess(MODE === 'fast' ? 30 : -10)
  const opJwt = jwtFile()
  const builderJwts = Array.from({ length: BUILDERS }, () => jwtFile())
  let builderWorker: Worker | undefined
  let builderUrl: string | undefined
  if (setup === 'builders') {
    const job: BuilderJob = {
      engineUrl: engine.url,
      engineJwtHex: engine.jwt.hex,
      intervalMs: RESUBMIT_MS,
      txsPerBuilder: 16,
      submitMarginMs: 25,
      builders: builderJwts.map((j, i) => ({ name: `b${i}`, jwtHex: j.hex })),
    }
    builderWorker = new Worker(sibling('_builderWorker.js'), { workerData: job })
    builderUrl = await new Promise<string>((resolve, reject) => {
      builderWorker!.once('message', (m: { url: string }) => resolve(m.url))
      builderWorker!.once('error', reject)
    })
  }
  const bare = setup === 'bare' ? await startBareProxy(engine.url, engine.jwt.secret) : undefined
  const seq =
    setup === 'direct' || setup === 'bare'
      ? undefined
      : await startSequencer(
          sequencerConfig({
            engine: `${engine.url},jwt=${engine.jwt.path}`,
            jwtSecret: opJwt.path,
            listenEngine: '127.0.0.1:0',
            listenBuilder: '127.0.0.1:0',
            listenDebug: '127.0.0.1:0',
            builder: builderUrl ? builderJwts.map((j, i) => `${builderUrl},jwt=${j.path},name=b${i}`) : [],
            maxUnsafeAge: 0,
            sealLeadMs: SEAL_LEAD_MS,
            logLevel: 'silent',
          }),
          { logger: createLogger('silent') },
        )
  builderWorker?.postMessage({ builderApi: seq!.urls.builder })
  const counts = { accepted: 0, rejected: 0, validated: 0, valid: 0, sealedBuilder: 0 }
  seq?.events.on('submission', (s) => {
    if (s.result.status === 'accepted') counts.accepted++
    else counts.rejected++
  })
  seq?.events.on('validated', (v) => {
    counts.validated++
    if (v.valid) counts.valid++
  })
  // Superguard's own share of each seal, paired by block hash: op-node's time minus the engine's.
  const engineMs = new Map<string, number>()
  seq?.events.on('sealed', (s) => {
    if (s.source === 'builder') counts.sealedBuilder++
    if (s.engineMs !== undefined) engineMs.set(s.blockHash, s.engineMs)
  })
  const loop = monitorEventLoopDelay({ resolution: 1 })
  loop.enable()
  const cpu0 = mainThreadCpuMs()
  const proc0 = processCpuMs(process.pid)
  const eng0 = processCpuMs(engine.pid)

  const target = seq
    ? { engineUrl: seq.urls.engine!, jwtHex: opJwt.hex }
    : bare
      ? { engineUrl: bare.url, jwtHex: opJwt.hex }
      : { engineUrl: engine.url, jwtHex: engine.jwt.hex }
  const opJob: OpNodeJob = { ...target, slots, warmup: WARMUP, clock: MODE, slotMs: SLOT_MS, sealLeadMs: SEAL_LEAD_MS }
  const res = await runWorker<OpNodeResult>('_opNodeWorker.js', opJob)
  loop.disable()
  const cpu1 = mainThreadCpuMs()
  const proc1 = processCpuMs(process.pid)
  const eng1 = processCpuMs(engine.pid)

  let stats: BuilderStats | undefined
  if (builderWorker) {
    stats = await new Promise<BuilderStats>((resolve) => {
      builderWorker!.on('message', (m: { stats?: BuilderStats }) => {
        if (m.stats) resolve(m.stats)
      })
      builderWorker!.postMessage({ stop: true })
    })
    await builderWorker.terminate()
  }
  const es = await engine.stats()
  await bare?.close()
  await seq?.close()
  await engine.stop()
  const slotsRun = WARMUP + slots
  const perSlot = (x0: number | undefined, x1: number | undefined) =>
    x0 === undefined || x1 === undefined ? NaN : (x1 - x0) / slotsRun
  const addedMs = seq
    ? res.sealMs.map((ms, i) => ms - engineMs.get(res.blockHashes[i]!)!)
    : bare
      ? res.sealMs.map((ms, i) => ms - bare.getPayloadMs[WARMUP + i]!)
      : []
  if (addedMs.some(Number.isNaN)) throw new Error('a seal without its engine time')
  return {
    engine: es,
    sealMs: res.sealMs,
    addedMs,
    builderBlocks: res.builderBlocks,
    counts,
    stats,
    loopP99Ms: loop.percentile(99) / 1e6,
    mainCpuMsPerSlot: perSlot(cpu0, cpu1),
    // This process's other threads (op-node stand-in, builders, libuv pool) and the engine child.
    otherThreadsCpuMsPerSlot: perSlot(proc0, proc1) - perSlot(cpu0, cpu1),
    engineCpuMsPerSlot: perSlot(eng0, eng1),
  }
}

const all: Record<Setup, number[]> = { direct: [], bare: [], proxy: [], builders: [] }
const added: Record<Setup, number[]> = { direct: [], bare: [], proxy: [], builders: [] }
const perRound: Record<string, unknown>[] = []
let builderInfo: Record<string, unknown> = {}
const started = performance.now()
for (let r = 0; r < ROUNDS; r++) {
  // Interleaved rounds: slow drifts of a shared machine hit every set-up alike.
  for (const setup of SETUPS) {
    const out = await round(setup, Math.ceil(SLOTS / ROUNDS))
    all[setup].push(...out.sealMs)
    added[setup].push(...out.addedMs)
    const w = out.engine.getPayloadWaitMs.slice(WARMUP)
    perRound.push({
      round: r,
      setup,
      p50: r2(pct(out.sealMs, 50)),
      p99: r2(pct(out.sealMs, 99)),
      ...(setup === 'direct' ? {} : { addedP50Ms: r2(pct(out.addedMs, 50)), addedP99Ms: r2(pct(out.addedMs, 99)) }),
      ...(setup === 'direct' || setup === 'bare'
        ? {}
        : { seqLoopP99Ms: r2(out.loopP99Ms), seqCpuMsPerSlot: r2(out.mainCpuMsPerSlot) }),
      // CPU per slot of everything else on the 2 cores: threads of this process besides the main one, and the engine.
      otherThreadsCpuMsPerSlot: r2(out.otherThreadsCpuMsPerSlot),
      engineCpuMsPerSlot: r2(out.engineCpuMsPerSlot),
      // Inside the engine: getPayload's wait for its turn (behind a newPayload validation, say) and its run.
      engineGetPayloadWaitP99Ms: r2(pct(w, 99)),
      engineGetPayloadRunP99Ms: r2(pct(out.engine.getPayloadRunMs.slice(WARMUP), 99)),
      engineNewPayloads: out.engine.newPayloads,
    })
    if (setup === 'builders') {
      const prev = builderInfo as {
        builderBlocks?: number
        slots?: number
        accepted?: number
        validatedValid?: number
        submitted?: number
        rejected?: Record<string, number>
      }
      builderInfo = {
        slots: (prev.slots ?? 0) + out.sealMs.length,
        builderBlocks: (prev.builderBlocks ?? 0) + out.builderBlocks,
        submitted: (prev.submitted ?? 0) + (out.stats?.submitted ?? 0),
        accepted: (prev.accepted ?? 0) + out.counts.accepted,
        validatedValid: (prev.validatedValid ?? 0) + out.counts.valid,
        rejected: Object.fromEntries(
          [...new Set([...Object.keys(prev.rejected ?? {}), ...Object.keys(out.stats?.rejected ?? {})])].map((k) => [
            k,
            (prev.rejected?.[k] ?? 0) + (out.stats?.rejected[k] ?? 0),
          ]),
        ),
      }
    }
  }
}

const summary = (xs: number[]) => ({
  n: xs.length,
  p50: r2(pct(xs, 50)),
  p90: r2(pct(xs, 90)),
  p99: r2(pct(xs, 99)),
  max: r2(Math.max(...xs)),
})
const summaryOf = (xs: number[]) => (xs.length ? summary(xs) : { n: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN })
const a = summaryOf(all.direct)
const a2 = summaryOf(all.bare)
const b = summaryOf(all.proxy)
const c = summaryOf(all.builders)
report(MODE === 'fast' ? 'sequencer.sealLatency' : 'sequencer.sealLatency.wall', {
  direct: a,
  bare: a2,
  proxy: b,
  builders: c,
  ratioBuildersProxyP99: ratio(c.p99, b.p99),
  targetRatio: 1.1,
  // Superguard's added latency, per seal: op-node's time minus the engine's getPayload time as
  // superguard measured it on the same call (the sealed event's engineMs). Pairing removes the
  // engine's own jitter, which swamps a difference of two unpaired p99s on 2 shared cores.
  // The bare proxy, measured the same way, is the floor: what one more hop costs on this machine.
  added: { bare: summaryOf(added.bare), proxy: summaryOf(added.proxy), builders: summaryOf(added.builders) },
  targetAddedP99Ms: 2,
  // The unpaired view: p99 through superguard minus p99 direct, from different slots.
  unpairedAddedP99Ms: r2(b.p99 - a.p99),
  unpairedAddedP50Ms: r2(b.p50 - a.p50),
  // The added latency split: one more hop (bare proxy − direct), and superguard's work (proxy − bare proxy).
  hopP99Ms: r2(a2.p99 - a.p99),
  hopP50Ms: r2(a2.p50 - a.p50),
  superguardOverBareP99Ms: r2(b.p99 - a2.p99),
  superguardOverBareP50Ms: r2(b.p50 - a2.p50),
  builderRun: builderInfo,
  rounds: perRound,
  config: {
    mode: MODE,
    slots: SLOTS,
    rounds: ROUNDS,
    slotMs: MODE === 'fast' ? SLOT_MS : 1000,
    builders: BUILDERS,
    resubmitMs: RESUBMIT_MS,
    warmupSlotsPerRound: WARMUP,
    engine: 'child process',
    opNode: 'worker thread',
    superguard: 'main thread',
    buildersOn: 'worker thread',
  },
  seconds: Math.round((performance.now() - started) / 1000),
})
