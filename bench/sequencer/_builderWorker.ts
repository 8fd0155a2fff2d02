import type { AddressInfo } from 'node:net'
import { parentPort, workerData } from 'node:worker_threads'
import { privateKeyToAccount } from 'viem/accounts'
import { assembleBlock, type ParentHeader, submissionOf } from '../../src/builder/assemble.js'
import { type DecodedTx, decodeTx } from '../../src/engine/decodeTx.js'
import type { Hex } from '../../src/engine/types.js'
import type { StartBuildingParams } from '../../src/pbs/index.js'
import { RpcClient } from '../../src/rpc/client.js'
import { createRpcServer } from '../../src/rpc/server.js'
import { initKeccak } from '../../src/util/keccak.js'
import { createLogger } from '../../src/util/logger.js'

// Worker-thread entry: N builders behind one announcement listener. superguard sends
// builder_startBuilding to every --builder (all pointing here); on a new job each builder fetches the
// parent header once, then assembles and submits a valid block at once and again every `intervalMs`
// (phases staggered) until shortly before the deadline, each time one more of its own pre-signed
// transactions, so every resubmission is a new block that superguard cheap-checks and validates with
// engine_newPayload.
export type BuilderJob = {
  engineUrl: string
  engineJwtHex: string
  builders: { name: string; jwtHex: string }[]
  intervalMs: number
  txsPerBuilder: number
  /** Stop this long before the job's deadline, as the reference builder (--submit-margin-ms). */
  submitMarginMs: number
}
export type BuilderStats = {
  jobs: number
  submitted: number
  accepted: number
  rejected: Record<string, number>
  errors: number
}

const cfg = workerData as BuilderJob
await initKeccak()
const engine = new RpcClient(cfg.engineUrl, { jwtSecret: Buffer.from(cfg.engineJwtHex, 'hex'), timeoutMs: 5000 })
const stats: BuilderStats = { jobs: 0, submitted: 0, accepted: 0, rejected: {}, errors: 0 }

type Builder = { name: string; rpc: RpcClient | undefined; secret: Buffer; txs: DecodedTx[] }
const builders: Builder[] = []
for (const [i, b] of cfg.builders.entries()) {
  const acct = privateKeyToAccount(`0x${(i + 1).toString(16).padStart(64, '0')}` as Hex)
  const txs: DecodedTx[] = []
  for (let n = 0; n < cfg.txsPerBuilder; n++) {
    txs.push(
      decodeTx(
        await acct.signTransaction({
          type: 'eip1559',
          chainId: 901,
          nonce: n,
          to: '0x000000000000000000000000000000000000beef',
          value: 1n,
          gas: 21_000n,
          maxFeePerGas: 50_000_000_000n,
          maxPriorityFeePerGas: BigInt(1 + i) * 1_000_000_000n,
        }),
      ),
    )
  }
  builders.push({ name: b.name, rpc: undefined, secret: Buffer.from(b.jwtHex, 'hex'), txs })
}

let current: string | undefined
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))

async function run(b: Builder, job: StartBuildingParams, parent: ParentHeader, phaseMs: number): Promise<void> {
  await sleep(phaseMs)
  const start = performance.now()
  for (let k = 0; current === job.jobId && Date.now() < job.deadline - cfg.submitMarginMs; k++) {
    const block = assembleBlock(job, parent, b.txs.slice(0, 1 + (k % b.txs.length)))
    stats.submitted++
    try {
      const r = await b.rpc!.call<{ status: string; reason?: string }>('pbs_submitBlock', [submissionOf(block)])
      if (r.status === 'accepted') stats.accepted++
      else stats.rejected[r.reason ?? '?'] = (stats.rejected[r.reason ?? '?'] ?? 0) + 1
    } catch {
      stats.errors++
    }
    await sleep(start + (k + 1) * cfg.intervalMs - performance.now())
  }
}

async function onJob(job: StartBuildingParams): Promise<void> {
  if (job.jobId === current) return // one announcement per --builder entry; all of them land here
  current = job.jobId
  stats.jobs++
  const parent = await engine.call<ParentHeader | null>('eth_getBlockByHash', [job.parent.hash, false])
  if (!parent || current !== job.jobId) return
  builders.forEach((b, i) => void run(b, job, parent, (i * cfg.intervalMs) / builders.length))
}

const app = createRpcServer({
  methods: new Map([
    [
      'builder_startBuilding',
      (p: readonly unknown[]) => {
        void onJob(p[0] as StartBuildingParams)
        return null
      },
    ],
    ['builder_deadline', () => null],
  ]),
  logger: createLogger('silent'),
})
await app.listen({ host: '127.0.0.1', port: 0 })
parentPort!.postMessage({ url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` })
parentPort!.on('message', async (m: { builderApi?: string; stop?: boolean }) => {
  if (m.builderApi)
    for (const b of builders) b.rpc = new RpcClient(m.builderApi, { jwtSecret: b.secret, timeoutMs: 5000 })
  if (m.stop) {
    current = undefined
    await app.close()
    for (const b of builders) b.rpc?.close()
    engine.close()
    parentPort!.postMessage({ stats })
  }
})
