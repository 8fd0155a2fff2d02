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
import { startRedisServer } from '../../test/_helpers/redisServer.js'
import { startUpstreamDouble } from '../../test/_helpers/upstreamDouble.js'
import { type LoadResult, ratio, report, runLoad } from '../_harness.js'

/**
 * Ingress replicas on Redis: interop eth_sendRawTransaction through an ingress whose rate limit
 * and accepted set live in a real redis-server (one EVALSHA for the limit, one for the accepted
 * set, per transaction) against the same ingress with both in memory, alternating rounds in one
 * run. Everything else as bench:ingress (sender recovery, an in-process index supervisor, an
 * upstream double that answers at once).
 *   node dist/bench/ingress/redis.bench.js [seconds per round] [connections] [rounds]
 */
const seconds = Number(process.argv[2] ?? 3)
const connections = Number(process.argv[3] ?? 50)
const rounds = Number(process.argv[4] ?? 3)
const N = 1000
const logger = createLogger('silent')

const redis = await startRedisServer()
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
await supervisor.indexer!.until(900n, 'cross-unsafe', messages.at(-1)!.identifier.blockNumber)

const upstream = await startUpstreamDouble({ chainId: 901n, keep: 0 })
// Rate limit on (every interop request pays a recovery and a take) but never reached.
const base = { port: 0, upstream: upstream.url, supervisor: [supervisor.url], rateLimit: 1_000_000_000 }
const memory = await startIngress(base, { logger })
const shared = await startIngress({ ...base, redis: redis.url }, { logger })

const senders = Array.from({ length: 10 }, () => privateKeyToAccount(generatePrivateKey()))
const interop: string[] = []
for (let i = 0; i < N; i++) {
  const raw: Hex = await senders[i % senders.length]!.signTransaction({
    type: 'eip1559',
    chainId: 901,
    nonce: Math.floor(i / senders.length),
    to: CROSS_L2_INBOX,
    gas: 200_000n,
    maxFeePerGas: 2_000_000_000n,
    maxPriorityFeePerGas: 1n,
    accessList: [{ address: CROSS_L2_INBOX, storageKeys: accessListEntries([messages[i % messages.length]!]) }],
  })
  interop.push(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'eth_sendRawTransaction', params: [raw] }))
}

const load = (ing: Ingress, durationS: number) => runLoad({ url: ing.url, bodies: interop, connections, durationS })
await load(memory, 2) // warm-up both
await load(shared, 2)
const memoryRuns: LoadResult[] = []
const redisRuns: LoadResult[] = []
for (let r = 0; r < rounds; r++) {
  memoryRuns.push(await load(memory, seconds))
  redisRuns.push(await load(shared, seconds))
}
const metrics = await (await fetch(`${shared.url}/metrics`)).text()
const redisErrors = /superguard_ingress_redis_errors_total\{[^}]*\} [1-9]/.test(metrics)
const accepted = shared.acceptedSet.size

await Promise.all([memory.close(), shared.close()])
await upstream.close()
await supervisor.close()
await Promise.all([anvilA.stop(), anvilB.stop(), redis.stop()])
const bad = [...memoryRuns, ...redisRuns].reduce((n, r) => n + r.errors + r.non2xx, 0)
if (bad > 0 || redisErrors) throw new Error(`requests failed: ${JSON.stringify({ bad, redisErrors })}`)

const mean = (runs: LoadResult[]) => Math.round(runs.reduce((n, r) => n + r.reqPerSec, 0) / runs.length)
report('ingress.redis', {
  memoryReqPerSec: mean(memoryRuns),
  redisReqPerSec: mean(redisRuns),
  ratio: ratio(mean(redisRuns), mean(memoryRuns)),
  roundRatios: redisRuns.map((r, i) => ratio(r.reqPerSec, memoryRuns[i]!.reqPerSec)),
  memoryP99Ms: Math.max(...memoryRuns.map((r) => r.p99Ms)),
  redisP99Ms: Math.max(...redisRuns.map((r) => r.p99Ms)),
  acceptedInRedis: accepted,
  connections,
  seconds,
  rounds,
  loadAvg1m: loadavg()[0],
})
