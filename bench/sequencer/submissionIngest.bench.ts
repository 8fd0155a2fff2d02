import { monitorEventLoopDelay } from 'node:perf_hooks'
import { privateKeyToAccount } from 'viem/accounts'
import { assembleBlock, type ParentHeader, submissionOf } from '../../src/builder/assemble.js'
import { type DecodedTx, decodeTx } from '../../src/engine/decodeTx.js'
import type { Hex } from '../../src/engine/types.js'
import { RpcClient } from '../../src/rpc/client.js'
import { signJwt } from '../../src/rpc/jwt.js'
import { sequencerConfig, startSequencer } from '../../src/sequencer/start.js'
import { createLogger } from '../../src/util/logger.js'
import { OpNode } from '../../test/_helpers/opNode.js'
import { ratio, report } from '../_harness.js'
import { profiled } from '../_profile.js'
import { startBareSubmitServer } from './_bareSubmitServer.js'
import { jwtFile, mainThreadCpuMs, r2, startEngineProcess } from './_procs.js'

/**
 * Builder-submission ingest: pbs_submitBlock answered per second by the sequencer's builder listener,
 * with its event-loop delay (monitorEventLoopDelay, 1 ms resolution, in the sequencer's thread).
 * Target: ≥ 10,000 answered/s with event-loop delay p99 < 10 ms.
 *
 * The floor, measured in the same run on the same thread: bare fastify answering the same bodies
 * (parse + 200, no auth, no checks; _bareSubmitServer.ts). superguard's own work per submission is
 * its main-thread CPU per answer minus the floor's. Both get a warm-up pass first (JIT, connections,
 * and for superguard the first sight of every body, whose accepted blocks the engine validates).
 *
 * Set-up: engine-sim in a child process (it validates the accepted blocks); superguard in proxy mode
 * on this main thread; one job started by the op-node stand-in; 4 builders, each with its own JWT
 * secret; DISTINCT valid blocks per builder for that job (TXS transactions each, built with
 * src/builder/assemble.ts) as pre-serialized bodies; autocannon (workers: 1, its own thread) posts
 * them with each builder's token, signed just before each round (iat window ±60 s). Bodies repeat
 * once each was sent: a repeat costs the whole fast path (parse, auth, field checks, block hash) and
 * is answered `duplicate_block`. The per-builder limits are raised for the bench:
 * --max-submissions-per-job 1e9 and --builder-requests-per-second 0 (off).
 * Each round has four passes, the floor's then superguard's: saturated (as fast as answers come: the
 * ceiling) and at the target rate (RATE offered per second: is it all answered, and what is the
 * event-loop delay then). BENCH_CPU_PROF=<dir> writes a CPU profile of this thread per pass.
 *   ROUNDS=3 SECONDS=5 CONNECTIONS=8 TXS=10 BODIES=250 RATE=10000 WARMUP_SECONDS=2 node dist/bench/sequencer/submissionIngest.bench.js
 */
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const SECONDS = Number(process.env.SECONDS ?? 5)
/** 8 = two keep-alive connections per builder (the reference builder submits one block at a time). */
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 8)
const TXS = Number(process.env.TXS ?? 10)
const BODIES = Number(process.env.BODIES ?? 250)
/** Offered rate of the target pass (autocannon overallRate). */
const RATE = Number(process.env.RATE ?? 10_000)
const WARMUP_SECONDS = Number(process.env.WARMUP_SECONDS ?? 2)
const BUILDERS = 4
const logger = createLogger('silent')

const engine = await startEngineProcess(600)
const opJwt = jwtFile()
const builderJwts = Array.from({ length: BUILDERS }, () => jwtFile())
const seq = await startSequencer(
  sequencerConfig({
    engine: `${engine.url},jwt=${engine.jwt.path}`,
    jwtSecret: opJwt.path,
    listenEngine: '127.0.0.1:0',
    listenBuilder: '127.0.0.1:0',
    listenDebug: '127.0.0.1:0',
    // Announcements go nowhere (connection refused, once per job): the load comes from autocannon.
    builder: builderJwts.map((j, i) => `http://127.0.0.1:9,jwt=${j.path},name=b${i}`),
    maxSubmissionsPerJob: 1_000_000_000,
    builderRequestsPerSecond: 0,
    maxUnsafeAge: 0,
    logLevel: 'silent',
  }),
  { logger },
)

const op = await new OpNode({ engineUrl: seq.urls.engine!, jwtSecret: opJwt.secret }).init()
const jobP = seq.events.waitFor('job')
await op.startBlock()
const job = await jobP
const engineRpc = new RpcClient(engine.url, { jwtSecret: engine.jwt.secret })
const parent = (await engineRpc.call<ParentHeader>('eth_getBlockByHash', [job.parent.hash, false]))!

// Per builder: a pool of signed transfers; body j holds TXS of them starting at j (distinct blocks).
const bodies: { builder: number; body: string }[] = []
const POOL = Math.max(TXS, BODIES)
const buildStart = performance.now()
for (let b = 0; b < BUILDERS; b++) {
  const acct = privateKeyToAccount(`0x${(b + 1).toString(16).padStart(64, '0')}` as Hex)
  const pool: DecodedTx[] = []
  for (let n = 0; n < POOL; n++) {
    pool.push(
      decodeTx(
        await acct.signTransaction({
          type: 'eip1559',
          chainId: 901,
          nonce: n,
          to: '0x000000000000000000000000000000000000beef',
          value: 1n,
          gas: 21_000n,
          maxFeePerGas: 50_000_000_000n,
          maxPriorityFeePerGas: BigInt(1 + b) * 1_000_000_000n,
        }),
      ),
    )
  }
  for (let j = 0; j < BODIES; j++) {
    const txs = Array.from({ length: TXS }, (_, m) => pool[(j + m) % POOL]!)
    const block = assembleBlock(job, parent, txs)
    bodies.push({
      builder: b,
      body: JSON.stringify({ jsonrpc: '2.0', id: j, method: 'pbs_submitBlock', params: [submissionOf(block)] }),
    })
  }
}
const buildS = (performance.now() - buildStart) / 1000
// Interleave the builders (body j of builder 0, 1, 2, 3, then body j + 1 …): every connection carries all four.
const interleaved = Array.from(
  { length: bodies.length },
  (_, i) => bodies[(i % BUILDERS) * BODIES + Math.floor(i / BUILDERS)]!,
)
bodies.splice(0, bodies.length, ...interleaved)

const counts = new Map<string, number>()
seq.events.on('submission', (s) => {
  const k = s.result.status === 'accepted' ? 'accepted' : s.result.reason
  counts.set(k, (counts.get(k) ?? 0) + 1)
})

const { default: autocannon } = await import('autocannon')
const bare = await startBareSubmitServer()
let passes = 0

/**
 * One autocannon pass against superguard or the bare floor; `rate` = offered requests/s over all
 * connections (0 = as fast as answered).
 */
async function pass(target: 'superguard' | 'bare', rate: number, seconds = SECONDS): Promise<Record<string, unknown>> {
  counts.clear()
  const tokens = builderJwts.map((j) => `Bearer ${signJwt(j.secret)}`)
  const requests = bodies.map(({ builder, body }) => ({
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json', authorization: tokens[builder]! },
    body,
  }))
  const loop = monitorEventLoopDelay({ resolution: 1 })
  loop.enable()
  const cpu0 = mainThreadCpuMs()
  const res = await profiled(`ingest-${target}-${rate || 'max'}-${++passes}`, () =>
    autocannon({
      url: target === 'bare' ? bare.url : seq.urls.builder,
      connections: CONNECTIONS,
      pipelining: 1,
      duration: seconds,
      workers: 1,
      requests,
      ...(rate > 0 ? { overallRate: rate } : {}),
    }),
  )
  loop.disable()
  const cpu1 = mainThreadCpuMs()
  const out = {
    target,
    offeredPerSec: rate || 'max',
    answeredPerSec: Math.round(res.requests.average),
    total: res.requests.total,
    latencyP50Ms: res.latency.p50,
    latencyP99Ms: res.latency.p99,
    non2xx: res.non2xx,
    errors: res.errors + res.timeouts,
    loopDelayP50Ms: r2(loop.percentile(50) / 1e6),
    loopDelayP99Ms: r2(loop.percentile(99) / 1e6),
    loopDelayMaxMs: r2(loop.max / 1e6),
    answers: Object.fromEntries(counts),
    // The sequencer thread's CPU per answered request: its ceiling on a core of its own is 1e6 / this.
    mainCpuUsPerReq:
      cpu0 === undefined || cpu1 === undefined ? null : Math.round(((cpu1 - cpu0) * 1000) / res.requests.total),
  }
  // Let validations of this pass's accepted blocks drain before the next.
  if (target === 'superguard') await new Promise((r) => setTimeout(r, 500))
  return out
}

await pass('bare', 0, WARMUP_SECONDS)
await pass('superguard', 0, WARMUP_SECONDS)
type Pass = Record<string, unknown>
const saturated: { bare: Pass; superguard: Pass }[] = []
const atRate: { bare: Pass; superguard: Pass }[] = []
for (let r = 0; r < ROUNDS; r++) {
  saturated.push({ bare: await pass('bare', 0), superguard: await pass('superguard', 0) })
  atRate.push({ bare: await pass('bare', RATE), superguard: await pass('superguard', RATE) })
}

const range = (xs: number[]) => ({ min: Math.min(...xs), max: Math.max(...xs) })
const of = (xs: { bare: Pass; superguard: Pass }[], who: 'bare' | 'superguard', k: string) =>
  range(xs.map((x) => x[who][k] as number))
const n = (p: Pass, k: string) => p[k] as number
report('sequencer.submissionIngest', {
  saturated: {
    answeredPerSec: {
      superguard: of(saturated, 'superguard', 'answeredPerSec'),
      bare: of(saturated, 'bare', 'answeredPerSec'),
    },
    /** superguard / bare answered per second, per round. */
    ratio: saturated.map((x) => ratio(n(x.superguard, 'answeredPerSec'), n(x.bare, 'answeredPerSec'))),
    loopDelayP99Ms: {
      superguard: of(saturated, 'superguard', 'loopDelayP99Ms'),
      bare: of(saturated, 'bare', 'loopDelayP99Ms'),
    },
    mainCpuUsPerReq: {
      superguard: of(saturated, 'superguard', 'mainCpuUsPerReq'),
      bare: of(saturated, 'bare', 'mainCpuUsPerReq'),
    },
    /** superguard's own main-thread work per submission: its CPU per answer minus the floor's, per round. */
    ownUsPerSubmission: saturated.map((x) => n(x.superguard, 'mainCpuUsPerReq') - n(x.bare, 'mainCpuUsPerReq')),
  },
  atRate: {
    offeredPerSec: RATE,
    answeredPerSec: {
      superguard: of(atRate, 'superguard', 'answeredPerSec'),
      bare: of(atRate, 'bare', 'answeredPerSec'),
    },
    ratio: atRate.map((x) => ratio(n(x.superguard, 'answeredPerSec'), n(x.bare, 'answeredPerSec'))),
    loopDelayP99Ms: {
      superguard: of(atRate, 'superguard', 'loopDelayP99Ms'),
      bare: of(atRate, 'bare', 'loopDelayP99Ms'),
    },
    latencyP99Ms: { superguard: of(atRate, 'superguard', 'latencyP99Ms'), bare: of(atRate, 'bare', 'latencyP99Ms') },
    ownUsPerSubmission: atRate.map((x) => n(x.superguard, 'mainCpuUsPerReq') - n(x.bare, 'mainCpuUsPerReq')),
  },
  targets: { answeredPerSec: 10_000, loopDelayP99Ms: 10 },
  passes: { saturated, atRate },
  config: {
    rounds: ROUNDS,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    connections: CONNECTIONS,
    txsPerBlock: TXS,
    distinctBodies: bodies.length,
    bodyBytes: Math.round(bodies.reduce((n, b) => n + b.body.length, 0) / bodies.length),
    builders: BUILDERS,
    maxSubmissionsPerJob: 1e9,
    builderRequestsPerSecond: 0,
    hashThreads: 2,
    buildS: r2(buildS),
  },
})

await bare.app.close()
op.close()
engineRpc.close()
await seq.close()
await engine.stop()
