import { parentPort, workerData } from 'node:worker_threads'
import { initKeccak } from '../../src/util/keccak.js'
import { OpNode } from '../../test/_helpers/opNode.js'

// Worker-thread entry: the op-node stand-in (test/_helpers/opNode.ts) driving `slots` blocks through
// `engineUrl` — forkchoiceUpdated with attributes, building until the seal, getPayload (timed: the
// seal latency op-node sees), newPayload + forkchoiceUpdated. On its own thread so that neither superguard's
// event loop nor the builders' work delays the moment it observes an answer.
export type OpNodeJob = {
  engineUrl: string
  jwtHex: string
  slots: number
  warmup: number
  /** 'fast': timestamps parent + 1 s, seal `slotMs` after the start. 'wall': timestamps on the clock (1 s slots), seal at timestamp − `sealLeadMs` as op-node does. */
  clock: 'fast' | 'wall'
  slotMs: number
  sealLeadMs: number
}
export type OpNodeResult = { sealMs: number[]; blockHashes: string[]; builderBlocks: number; txs: number[] }

const job = workerData as OpNodeJob
await initKeccak()
const op = await new OpNode({
  engineUrl: job.engineUrl,
  jwtSecret: Buffer.from(job.jwtHex, 'hex'),
  clock: job.clock,
}).init()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))
const out: OpNodeResult = { sealMs: [], blockHashes: [], builderBlocks: 0, txs: [] }
for (let i = 0; i < job.warmup + job.slots; i++) {
  const b = await op.startBlock()
  await sleep(
    job.clock === 'fast' ? job.slotMs : Number(BigInt(b.attributes.timestamp)) * 1000 - job.sealLeadMs - Date.now(),
  )
  const t = performance.now()
  const env = await op.seal(b)
  const ms = performance.now() - t
  if (i >= job.warmup) {
    out.sealMs.push(ms)
    out.blockHashes.push(env.executionPayload.blockHash)
    out.txs.push(env.executionPayload.transactions.length)
    // The local block holds only the L1-info deposit (engine mempool empty); a builder block has more.
    if (env.executionPayload.transactions.length > 1) out.builderBlocks++
  }
  await op.insert(env)
}
op.close()
parentPort!.postMessage(out)
