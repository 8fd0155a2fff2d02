import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { startAnvil } from '../../src/devnet/anvil.js'
import { DevSigner, emitInitiating, setupChain } from '../../src/devnet/messages.js'
import { checkerWorkload } from '../../src/loadtest/checker.js'
import { harvestChain } from '../../src/loadtest/harvest.js'
import { type LoadtestResult, parseMix, runLoadtest } from '../../src/loadtest/index.js'
import { initKeccak } from '../../src/util/keccak.js'
import { type LoadResult, ratio, report, runLoad } from '../_harness.js'

// Is the load generator the bottleneck? `superguard loadtest checker` (autocannon on a worker thread,
// every answer judged on the main thread) against autocannon alone (its own worker thread, no
// judging), both loading the bare fastify echo (a process of its own) with the very same bodies, in
// alternating slices (ABBA) of this run. Issue target: answered requests/s ≥ 0.9 of autocannon's.
const CONNECTIONS = 50
const PIPELINING = 4
const SLICE_S = Number(process.env.BENCH_SLICE_S ?? 4)
const SLICES = Number(process.env.BENCH_SLICES ?? 2)

const anvil = await startAnvil({ chainId: 901 })
const echo = spawn(process.execPath, [fileURLToPath(new URL('./_echoChild.js', import.meta.url))], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
try {
  await initKeccak()
  const chain = await setupChain(anvil.url)
  const signer = new DevSigner()
  for (let i = 0; i < 5; i++) await emitInitiating(chain, signer, { count: 20 })
  const [url] = (await once(createInterface({ input: echo.stdout! }), 'line')) as [string]

  // the bodies superguard loadtest sends (same harvest, same seeded plan), for autocannon alone
  const options = {
    kind: 'checker' as const,
    target: url,
    rpc: [anvil.url],
    progress: 'off' as const,
    connections: CONNECTIONS,
    pipelining: PIPELINING,
  }
  const harvested = await harvestChain(anvil.url, {
    blocks: 1000,
    maxLogs: 2000,
    timeoutMs: 10_000,
    minSafety: 'unsafe',
  })
  const workload = checkerWorkload({
    chains: [harvested],
    chainId: harvested.chainId,
    method: 'interop_checkAccessList',
    minSafety: 'unsafe',
    mix: parseMix('checker', undefined),
    batch: 1,
    bodies: 2000,
  })
  const bodies = workload.first.requests.map((r) => r.body)

  const runs: { autocannon: LoadResult[]; loadtest: LoadtestResult[] } = { autocannon: [], loadtest: [] }
  // warm-up of both paths (JIT, sockets), not reported
  await runLoad({ url, bodies, connections: CONNECTIONS, pipelining: PIPELINING, durationS: 1 })
  await runLoadtest({ ...options, duration: '1s' })
  for (let i = 0; i < SLICES; i++) {
    const order = i % 2 === 0 ? (['autocannon', 'loadtest'] as const) : (['loadtest', 'autocannon'] as const)
    for (const side of order) {
      if (side === 'autocannon')
        runs.autocannon.push(
          await runLoad({ url, bodies, connections: CONNECTIONS, pipelining: PIPELINING, durationS: SLICE_S }),
        )
      else runs.loadtest.push(await runLoadtest({ ...options, duration: `${SLICE_S}s` }))
    }
  }
  const ac = Math.round(runs.autocannon.reduce((n, r) => n + r.reqPerSec, 0) / runs.autocannon.length)
  const lt = Math.round(runs.loadtest.reduce((n, r) => n + r.throughputPerS, 0) / runs.loadtest.length)
  const judged = runs.loadtest.reduce((n, r) => n + r.requests.checks, 0)
  const answered = runs.loadtest.reduce((n, r) => n + r.requests.answered, 0)
  if (judged !== answered) throw new Error(`judged ${judged} of ${answered} answers`)
  report('loadtest.checker', {
    autocannon: { reqPerSec: ac, slices: runs.autocannon.map((r) => r.reqPerSec) },
    loadtest: {
      reqPerSec: lt,
      slices: runs.loadtest.map((r) => Math.round(r.throughputPerS)),
      p99Ms: runs.loadtest.map((r) => r.latencyMs.p99),
      judged,
    },
    ratio: ratio(lt, ac),
    target: 0.9,
    connections: CONNECTIONS,
    pipelining: PIPELINING,
    sliceS: SLICE_S,
    slices: SLICES,
    bodies: bodies.length,
  })
} finally {
  echo.kill('SIGTERM')
  await anvil.stop()
}
