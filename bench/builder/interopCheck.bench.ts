import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { privateKeyToAccount } from 'viem/accounts'
import { builderSpec } from '../../src/builder/options.js'
import { type BuilderHandle, startBuilder } from '../../src/builder/start.js'
import { loadConfig } from '../../src/config/index.js'
import { startAnvil } from '../../src/devnet/anvil.js'
import {
  accessListEntries,
  DevSigner,
  emitInitiating,
  type InitiatingMessage,
  setupChain,
} from '../../src/devnet/messages.js'
import type { Hex, PayloadAttributesV3 } from '../../src/engine/types.js'
import { startEngineSim } from '../../src/enginesim/start.js'
import { CROSS_L2_INBOX } from '../../src/interop/index.js'
import type { StartBuildingParams } from '../../src/pbs/index.js'
import { signJwt } from '../../src/rpc/jwt.js'
import { createRpcServer } from '../../src/rpc/server.js'
import { startSupervisor, supervisorConfig } from '../../src/supervisor/index.js'
import { createLogger } from '../../src/util/logger.js'
import { report } from '../_harness.js'

/**
 * Block build time of the reference builder (src/builder) with 0, 10, 100 and 1000 interop
 * transactions per block (plus 100 plain transfers in every block), without and with
 * --check-interop against a local supervisor (index backend, in-process) over two anvil chains
 * holding 1000 real initiating messages (emitInitiating, 250 per emitting transaction).
 *
 * Build time = builder_startBuilding sent → the builder's first `submitted` event for that job:
 * parent look-up on its engine-sim, fee ordering, the interop check (one batch request of every
 * interop transaction, fresh per job), assembly (execution rules, receipts/transactions tries, block
 * hash) and the pbs_submitBlock round trip to a sequencer stub that accepts at once. Each job is
 * new, so the check is never served from the builder's per-job cache. Median of JOBS jobs per cell,
 * the two builders alternating job by job so machine load hits both alike.
 *   JOBS=21 node dist/bench/builder/interopCheck.bench.js
 */
const JOBS = Number(process.env.JOBS ?? 21)
const SIZES = [0, 10, 100, 1000]
const PLAIN = 100
const MAX = Math.max(...SIZES)
const logger = createLogger('silent')
const dir = mkdtempSync(join(tmpdir(), 'sg-bench-builder-'))
process.once('exit', () => rmSync(dir, { recursive: true, force: true }))

// Two chains and the supervisor; the messages are initiated on chain 900, executed on chain 901.
const [anvilA, anvilB] = await Promise.all([startAnvil({ chainId: 900 }), startAnvil({ chainId: 901 })])
const A = await setupChain(anvilA.url)
await setupChain(anvilB.url)
// --body-limit raised from the 128 KiB default: the builder sends ONE batch per build, and 1000
// interop transactions make a ~0.4 MB request that the default limit refuses (HTTP 413: the builder then
// fails closed and leaves every interop transaction out). See `batchBytes` in the report.
const BODY_LIMIT = 8 * 1024 * 1024
const supervisor = await startSupervisor(
  supervisorConfig({
    argv: [
      '--rpc',
      anvilA.url,
      '--rpc',
      anvilB.url,
      '--port',
      '0',
      '--db',
      ':memory:',
      '--poll',
      '100ms',
      '--body-limit',
      String(BODY_LIMIT),
    ],
  }),
  { logger, progress: false },
)
await supervisor.ready
const signer = new DevSigner()
const messages: InitiatingMessage[] = []
for (let i = 0; i < MAX / 250; i++) messages.push(...(await emitInitiating(A, signer, { count: 250 })))
const last = messages.at(-1)!.identifier.blockNumber
await supervisor.indexer!.until(900n, 'cross-unsafe', last)

// Transactions on chain 901: 100 plain transfers, and 1000 interop ones each executing one message.
const senders = Array.from({ length: 20 }, (_, i) =>
  privateKeyToAccount(`0x${(i + 1).toString(16).padStart(64, '0')}` as Hex),
)
const sign = (from: number, nonce: number, accessList: { address: Hex; storageKeys: Hex[] }[]) =>
  senders[from]!.signTransaction({
    type: 'eip1559',
    chainId: 901,
    nonce,
    to: CROSS_L2_INBOX,
    gas: 200_000n,
    maxFeePerGas: 50_000_000_000n,
    maxPriorityFeePerGas: 1_000_000_000n,
    data: '0x',
    accessList,
  })
const plain: Hex[] = []
for (let i = 0; i < PLAIN; i++) plain.push(await sign(i % 10, Math.floor(i / 10), []))
// Senders 10..19, nonces in order, so every prefix of the list is gap-free.
const interop: Hex[] = []
for (let i = 0; i < MAX; i++)
  interop.push(
    await sign(10 + (i % 10), Math.floor(i / 10), [
      { address: CROSS_L2_INBOX, storageKeys: accessListEntries([messages[i]!]) },
    ]),
  )

// The builders' paired engine-sim (parent headers) and a sequencer stub that accepts every block.
const engineJwt = randomBytes(32)
const engine = await startEngineSim({ execution: 'sim', jwtSecret: engineJwt, chainId: 901, logger })
const engineJwtPath = join(dir, 'engine.hex')
writeFileSync(engineJwtPath, engineJwt.toString('hex'))
const stub = createRpcServer({
  methods: new Map([['pbs_submitBlock', () => ({ status: 'accepted' })]]),
  logger,
  bodyLimit: 64 * 1024 * 1024,
})
await stub.listen({ host: '127.0.0.1', port: 0 })
const stubUrl = `http://127.0.0.1:${(stub.server.address() as AddressInfo).port}`

type Bench = { name: 'plain' | 'checked'; builder: BuilderHandle; secret: Buffer }
async function builder(name: Bench['name'], checkInterop: boolean): Promise<Bench> {
  const secret = randomBytes(32)
  const path = join(dir, `${name}.hex`)
  writeFileSync(path, secret.toString('hex'))
  const { config } = loadConfig(builderSpec, {
    argv: [
      '--listen',
      '127.0.0.1:0',
      '--sequencer',
      stubUrl,
      '--jwt-secret',
      path,
      '--engine',
      `${engine.url},jwt=${engineJwtPath}`,
      '--chain-id',
      '901',
      '--resubmit-interval',
      '10ms',
      ...(checkInterop ? ['--check-interop', supervisor.url] : []),
    ],
  })
  return { name, builder: await startBuilder(config, { logger }), secret }
}
const benches = [await builder('plain', false), await builder('checked', true)]

const genesis = (await engine.sim.blockByTag('latest'))!
const rpc = async (url: string, method: string, params: unknown[], secret?: Buffer) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${signJwt(secret)}` } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const body = (await res.json()) as { result?: unknown; error?: { message: string } }
  if (body.error) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}

/** One job on one builder: ms from the announcement to its first submission, and the transactions it included. */
async function buildOnce(b: Bench): Promise<{ ms: number; txs: number }> {
  const attributes: PayloadAttributesV3 = {
    // After every message's timestamp (an interop executing timestamp must be later than the initiating one).
    timestamp: `0x${Math.max(Math.floor(Date.now() / 1000) + 5, Number(genesis.timestamp) + 1).toString(16)}`,
    prevRandao: `0x${randomBytes(32).toString('hex')}`,
    suggestedFeeRecipient: '0x4200000000000000000000000000000000000011',
    withdrawals: [],
    parentBeaconBlockRoot: `0x${randomBytes(32).toString('hex')}`,
    transactions: [],
    noTxPool: false,
    gasLimit: '0x3b9aca00',
    eip1559Params: '0x000000fa00000006',
    minBaseFee: null,
  }
  const job: StartBuildingParams = {
    jobId: `0x${randomBytes(8).toString('hex')}`,
    parent: {
      hash: genesis.hash,
      number: `0x${genesis.number.toString(16)}`,
      timestamp: `0x${genesis.timestamp.toString(16)}`,
    },
    attributes,
    deadline: Date.now() + 10_000,
    engineVersion: 4,
  }
  const sub = b.builder.waitForSubmission((s) => s.jobId === job.jobId, 30_000)
  const t = performance.now()
  await rpc(b.builder.url, 'builder_startBuilding', [job], b.secret)
  const s = await sub
  return { ms: performance.now() - t, txs: s.txs }
}

/** Size of the builder's check request for `n` interop transactions (as src/builder/interopCheck.ts builds it). */
function batchBytes(n: number): number {
  const descriptor = { chainID: '901', timestamp: '0x6870a1b2', timeout: '0x0' }
  return Buffer.byteLength(
    JSON.stringify(
      messages.slice(0, n).map((m, i) => ({
        jsonrpc: '2.0',
        id: i,
        method: 'supervisor_checkAccessList',
        params: [accessListEntries([m]), 'cross-unsafe', descriptor],
      })),
    ),
  )
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const r2 = (x: number) => Math.round(x * 100) / 100
const cells: Record<string, unknown>[] = []
let fed = 0
for (const b of benches) for (const raw of plain) await rpc(b.builder.url, 'eth_sendRawTransaction', [raw])
for (const n of SIZES) {
  // Grow both mempools to PLAIN + n transactions.
  for (; fed < n; fed++) for (const b of benches) await rpc(b.builder.url, 'eth_sendRawTransaction', [interop[fed]!])
  for (let w = 0; w < (n === 0 ? 5 : 1); w++) for (const b of benches) await buildOnce(b) // warm-up (JIT first)
  const times: Record<Bench['name'], number[]> = { plain: [], checked: [] }
  const included: Record<Bench['name'], number[]> = { plain: [], checked: [] }
  const batchesBefore = benches[1]!.builder.interop!.batches
  for (let j = 0; j < JOBS; j++) {
    for (const b of benches) {
      const r = await buildOnce(b)
      times[b.name].push(r.ms)
      included[b.name].push(r.txs)
    }
  }
  const without = median(times.plain)
  const withCheck = median(times.checked)
  cells.push({
    interopTxs: n,
    blockTxs: PLAIN + n,
    buildMsWithout: r2(without),
    buildMsWith: r2(withCheck),
    addedMsPerBlock: r2(withCheck - without),
    addedUsPerInteropTx: n > 0 ? Math.round(((withCheck - without) / n) * 1000) : null,
    spreadMsWith: [r2(Math.min(...times.checked)), r2(Math.max(...times.checked))],
    spreadMsWithout: [r2(Math.min(...times.plain)), r2(Math.max(...times.plain))],
    includedWith: [...new Set(included.checked)],
    includedWithout: [...new Set(included.plain)],
    supervisorBatches: benches[1]!.builder.interop!.batches - batchesBefore,
    batchBytes: batchBytes(n),
  })
}

for (const b of benches) await b.builder.close()
await stub.close()
await engine.close()
await supervisor.close()
await Promise.all([anvilA.stop(), anvilB.stop()])

for (const c of cells) {
  if (
    (c.includedWith as number[]).some((x) => x !== c.blockTxs) ||
    (c.includedWithout as number[]).some((x) => x !== c.blockTxs)
  ) {
    throw new Error(
      `a block left transactions out (supervisor too slow or a message not indexed?): ${JSON.stringify(c)}`,
    )
  }
}
report('builder.interopCheck', {
  cells,
  jobsPerCell: JOBS,
  plainTxsPerBlock: PLAIN,
  supervisor: 'index backend, in-process (same event loop as the builders)',
  supervisorBodyLimit: BODY_LIMIT,
  defaultBodyLimit: 128 * 1024,
  checkTimeoutMs: 500,
})
