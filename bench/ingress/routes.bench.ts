import { loadavg } from 'node:os'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { startAnvil } from '../../src/devnet/anvil.js'
import {
  accessListEntries,
  DevSigner,
  emitInitiating,
  type InitiatingMessage,
  setupChain,
} from '../../src/devnet/messages.js'
import { type Ingress, startIngress } from '../../src/ingress/index.js'
import { CROSS_L2_INBOX, type Hex } from '../../src/interop/index.js'
import { startSupervisor, supervisorConfig } from '../../src/supervisor/index.js'
import { createLogger } from '../../src/util/logger.js'
import { startUpstreamDouble } from '../../test/_helpers/upstreamDouble.js'
import { type LoadResult, ratio, report, runLoad } from '../_harness.js'

/**
 * --route: interop eth_sendRawTransaction whose access list touches two source chains (A 900 and
 * C 902, one access each), through an ingress routing each access to the supervisor of its chain
 * (SA indexes A, SC indexes C: two checks per transaction, one per route, at once) against the same
 * transactions through an ingress with one supervisor holding both chains (one check of two
 * accesses). Alternating rounds in one run; every supervisor in this process, the upstream a double
 * that answers at once (as bench:ingress).
 *   node dist/bench/ingress/routes.bench.js [seconds per round] [connections] [rounds]
 */
const seconds = Number(process.argv[2] ?? 3)
const connections = Number(process.argv[3] ?? 50)
const rounds = Number(process.argv[4] ?? 3)
const N = 1000
const logger = createLogger('silent')

const anvils = await Promise.all([900, 901, 902].map((chainId) => startAnvil({ chainId })))
const [A, B, C] = await Promise.all(anvils.map((a) => setupChain(a.url)))
const supervisorOf = async (...chains: string[]) => {
  const s = await startSupervisor(
    supervisorConfig({
      argv: [...chains.flatMap((u) => ['--rpc', u]), '--port', '0', '--db', ':memory:', '--poll', '100ms'],
    }),
    { logger, progress: false },
  )
  await s.ready
  return s
}
const [SA, SC, both] = await Promise.all([
  supervisorOf(A!.url, B!.url),
  supervisorOf(C!.url, B!.url),
  supervisorOf(A!.url, B!.url, C!.url),
])
const emitter = new DevSigner()
const onA: InitiatingMessage[] = await emitInitiating(A!, emitter, { count: 100 })
const onC: InitiatingMessage[] = await emitInitiating(C!, emitter, { count: 100 })
await Promise.all([
  SA.indexer!.until(900n, 'cross-unsafe', onA.at(-1)!.identifier.blockNumber),
  SC.indexer!.until(902n, 'cross-unsafe', onC.at(-1)!.identifier.blockNumber),
  both.indexer!.until(900n, 'cross-unsafe', onA.at(-1)!.identifier.blockNumber),
  both.indexer!.until(902n, 'cross-unsafe', onC.at(-1)!.identifier.blockNumber),
])

const upstream = await startUpstreamDouble({ chainId: 901n, keep: 0 })
// A generous check deadline: on a loaded box a 2 s timeout turns slow answers into failures, not a rate.
const base = { port: 0, upstream: upstream.url, rateLimit: 1_000_000_000, failsafePoll: 0, supervisorTimeout: '10s' }
const single = await startIngress({ ...base, supervisor: [both.url] }, { logger })
const routed = await startIngress({ ...base, route: [`900=${SA.url}`, `902=${SC.url}`] }, { logger })

const senders = Array.from({ length: 10 }, () => privateKeyToAccount(generatePrivateKey()))
const bodies: string[] = []
for (let i = 0; i < N; i++) {
  const raw: Hex = await senders[i % senders.length]!.signTransaction({
    type: 'eip1559',
    chainId: 901,
    nonce: Math.floor(i / senders.length),
    to: CROSS_L2_INBOX,
    gas: 200_000n,
    maxFeePerGas: 2_000_000_000n,
    maxPriorityFeePerGas: 1n,
    accessList: [
      { address: CROSS_L2_INBOX, storageKeys: accessListEntries([onA[i % onA.length]!, onC[i % onC.length]!]) },
    ],
  })
  bodies.push(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'eth_sendRawTransaction', params: [raw] }))
}

const load = (ing: Ingress, durationS: number) => runLoad({ url: ing.url, bodies, connections, durationS })
await load(single, 2) // warm-up both
await load(routed, 2)
const singleRuns: LoadResult[] = []
const routedRuns: LoadResult[] = []
for (let r = 0; r < rounds; r++) {
  singleRuns.push(await load(single, seconds))
  routedRuns.push(await load(routed, seconds))
}
const metrics = await (await fetch(`${routed.url}/metrics`)).text()
const singleMetrics = await (await fetch(`${single.url}/metrics`)).text()
const lines = (text: string) =>
  text.split('\n').filter((l) => /^superguard_ingress_(route_checks|validations)_total/.test(l))
const notPassed = /superguard_ingress_route_checks_total\{route="[^"]+",result="(?!passed)[^"]+"\} [1-9]/.test(metrics)

await Promise.all([single.close(), routed.close()])
await upstream.close()
await Promise.all([SA.close(), SC.close(), both.close()])
await Promise.all(anvils.map((a) => a.stop()))
const bad = [...singleRuns, ...routedRuns].reduce((n, r) => n + r.errors + r.non2xx, 0)
if (bad > 0 || notPassed)
  throw new Error(
    `requests failed: ${JSON.stringify({ bad, notPassed, routed: lines(metrics), single: lines(singleMetrics) })}`,
  )

const mean = (runs: LoadResult[]) => Math.round(runs.reduce((n, r) => n + r.reqPerSec, 0) / runs.length)
report('ingress.routes', {
  oneRouteReqPerSec: mean(singleRuns),
  twoRoutesReqPerSec: mean(routedRuns),
  ratio: ratio(mean(routedRuns), mean(singleRuns)),
  roundRatios: routedRuns.map((r, i) => ratio(r.reqPerSec, singleRuns[i]!.reqPerSec)),
  oneRouteP99Ms: Math.max(...singleRuns.map((r) => r.p99Ms)),
  twoRoutesP99Ms: Math.max(...routedRuns.map((r) => r.p99Ms)),
  connections,
  seconds,
  rounds,
  loadAvg1m: loadavg()[0],
})
