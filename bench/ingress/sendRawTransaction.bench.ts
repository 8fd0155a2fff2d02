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
import { startIngress } from '../../src/ingress/index.js'
import { CROSS_L2_INBOX, type Hex } from '../../src/interop/index.js'
import { startSupervisor, supervisorConfig } from '../../src/supervisor/index.js'
import { createLogger } from '../../src/util/logger.js'
import { startUpstreamDouble } from '../../test/_helpers/upstreamDouble.js'
import { type LoadResult, ratio, report, runLoad } from '../_harness.js'
import { profiled } from '../_profile.js'

/**
 * Ingress throughput: eth_sendRawTransaction of interop transactions (rate limit with sender
 * recovery, access-list checks, a real index-backend supervisor call) against the same ingress
 * forwarding plain transactions, in one run. The upstream is a double that answers at once, so
 * the numbers are the ingress's (and the in-process supervisor's) cost, not anvil's.
 *   node dist/bench/ingress/sendRawTransaction.bench.js [seconds per round] [connections] [rounds]
 */
const seconds = Number(process.argv[2] ?? 4)
const connections = Number(process.argv[3] ?? 50)
const rounds = Number(process.argv[4] ?? 3)
const N = 1000
const logger = createLogger('silent')

const [anvilA, anvilB] = await Promise.all([startAnvil({ chainId: 900 }), startAnvil({ chainId: 901 })])
const A = await setupChain(anvilA.url)
await setupChain(anvilB.url)
const supervisor = await startSupervisor(
  supervisorConfig({
    argv: ['--rpc', anvilA.url, '--rpc', anvilB.url, '--port', '0', '--db', ':memory:', '--poll', '100ms'],
  }),
  { logger, progress: false },
)
await supervisor.ready
const messages: InitiatingMessage[] = await emitInitiating(A, new DevSigner(), { count: 100 })
const last = messages.at(-1)!.identifier.blockNumber
await supervisor.indexer!.until(900n, 'cross-unsafe', last)

const upstream = await startUpstreamDouble({ chainId: 901n, keep: 0 })
// Rate limit on (so every interop request pays a sender recovery) but never reached.
const ingress = await startIngress(
  { port: 0, upstream: upstream.url, supervisor: [supervisor.url], rateLimit: 1_000_000_000, logLevel: 'silent' },
  { logger },
)

/** Requests of several rounds as one: req/s over the whole time, errors summed. */
function total(runs: LoadResult[]): LoadResult {
  const sum = (f: (r: LoadResult) => number) => runs.reduce((n, r) => n + f(r), 0)
  return {
    reqPerSec: Math.round(sum((r) => r.reqPerSec) / runs.length),
    p99Ms: Math.max(...runs.map((r) => r.p99Ms)),
    errors: sum((r) => r.errors),
    non2xx: sum((r) => r.non2xx),
    total: sum((r) => r.total),
  }
}

// N distinct transactions of each kind from 10 senders; interop ones execute the indexed messages.
const senders = Array.from({ length: 10 }, () => privateKeyToAccount(generatePrivateKey()))
const body = (raw: Hex, id: number) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'eth_sendRawTransaction', params: [raw] })
const sign = (i: number, accessList: { address: Hex; storageKeys: Hex[] }[]) =>
  senders[i % senders.length]!.signTransaction({
    type: 'eip1559',
    chainId: 901,
    nonce: Math.floor(i / senders.length),
    to: CROSS_L2_INBOX,
    gas: 200_000n,
    maxFeePerGas: 2_000_000_000n,
    maxPriorityFeePerGas: 1n,
    data: '0x',
    accessList,
  })
const plain: string[] = []
const interop: string[] = []
for (let i = 0; i < N; i++) {
  plain.push(body(await sign(i, []), i))
  interop.push(
    body(
      await sign(N + i, [
        { address: CROSS_L2_INBOX, storageKeys: accessListEntries([messages[i % messages.length]!]) },
      ]),
      i,
    ),
  )
}

// Every interop body must pass validation before it is timed.
const probe = (await (
  await fetch(ingress.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: interop[0] })
).json()) as { result?: string; error?: unknown }
if (!probe.result) throw new Error(`interop transaction refused: ${JSON.stringify(probe)}`)

await runLoad({ url: ingress.url, bodies: plain, connections, durationS: 2 }) // warm-up both paths
await runLoad({ url: ingress.url, bodies: interop, connections, durationS: 2 })
// Alternating rounds, so a change in machine load hits both kinds alike.
const plainRuns: LoadResult[] = []
const interopRuns: LoadResult[] = []
// CPU of the whole process (every thread: ingress, supervisor, upstream double, recovery worker and
// autocannon's worker) per answered request: on a shared box req/s follows the share of the cores
// the process gets, CPU per request does not.
const cpuUs = { plain: 0, interop: 0 }
const timed = async (kind: 'plain' | 'interop', r: number): Promise<LoadResult> => {
  const before = process.cpuUsage()
  const bodies = kind === 'plain' ? plain : interop
  const res = await profiled(`ingress-${kind}-${r}`, () =>
    runLoad({ url: ingress.url, bodies, connections, durationS: seconds }),
  )
  const used = process.cpuUsage(before)
  cpuUs[kind] += used.user + used.system
  return res
}
for (let r = 0; r < rounds; r++) {
  plainRuns.push(await timed('plain', r))
  interopRuns.push(await timed('interop', r))
}
const p = total(plainRuns)
const x = total(interopRuns)
const metrics = await (await fetch(`${ingress.url}/metrics`)).text()
const failed = /superguard_ingress_validations_total\{result="(?!passed)/.test(metrics)

await ingress.close()
await upstream.close()
await supervisor.close()
await Promise.all([anvilA.stop(), anvilB.stop()])
if (p.non2xx + p.errors + x.non2xx + x.errors > 0 || failed)
  throw new Error(`requests failed: ${JSON.stringify({ p, x, failed })}`)

report('ingress.sendRawTransaction', {
  plainReqPerSec: p.reqPerSec,
  interopReqPerSec: x.reqPerSec,
  ratio: ratio(x.reqPerSec, p.reqPerSec),
  roundRatios: interopRuns.map((r, i) => ratio(r.reqPerSec, plainRuns[i]!.reqPerSec)),
  // CPU µs per request, all threads of the process; their ratio is the req/s ratio a CPU-bound box would see
  plainCpuUsPerReq: Math.round(cpuUs.plain / p.total),
  interopCpuUsPerReq: Math.round(cpuUs.interop / x.total),
  cpuRatio: ratio(cpuUs.plain / p.total, cpuUs.interop / x.total),
  plainP99Ms: Math.max(...plainRuns.map((r) => r.p99Ms)),
  interopP99Ms: Math.max(...interopRuns.map((r) => r.p99Ms)),
  connections,
  seconds,
  rounds,
  loadAvg1m: loadavg()[0],
  supervisor: 'index backend, in-process',
})
