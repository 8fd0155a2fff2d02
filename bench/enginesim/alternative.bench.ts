/**
 * The alternative EVM library, measured against the one engine-sim uses (npm run bench:evm-alt):
 * Hardhat's EDR (@nomicfoundation/edr 0.11.3: revm in Rust behind napi) and @ethereumjs/vm 10.1.3,
 * the same signed transactions in the same run, through comparable paths.
 *
 * EDR 0.11.3 exposes one entry point, a JSON-RPC `Provider` (no block executor, no block import), so
 * it is driven as a node is: automine off, N × eth_sendRawTransaction (JSON parse, decode, sender
 * recovery, mempool admission), then one evm_mine (execution, state root, receipts, bloom, and
 * Hardhat's per-transaction trace collection, which cannot be turned off). engine-sim is driven
 * through the same path: its JSON-RPC method table in process, JSON request strings in and answer
 * strings out (N × eth_sendRawTransaction with geth's admission and libsecp256k1 recovery, then
 * engine_forkchoiceUpdatedV3 with attributes + engine_getPayloadV4, whose answer carries the whole
 * block where evm_mine answers "0"); no HTTP on either side. Validation (re-execution of a block built elsewhere) has no EDR counterpart; engine-sim's
 * newPayloadV4 on a second EngineSim is measured on its own.
 *
 * Workloads: N simple transfers (EIP-1559, 4 senders), and N executing-message calls to the same
 * CrossL2Inbox runtime code engine-sim's genesis holds (EDR: hardhat_setCode at 0x4200…0022).
 * Best of SG_BENCH_ROUNDS (3) after one warm-up round; wall time and process CPU time (all threads).
 * Bench only: EDR is a devDependency and nothing in src/ imports it.
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { pino } from 'pino'
import { privateKeyToAccount } from 'viem/accounts'
import { serializeTransaction as serializeOpTransaction } from 'viem/op-stack'
import type { GetPayloadV4Result, Hex, PayloadAttributesV3 } from '../../src/engine/index.js'
import { EngineSim, engineSimMethods } from '../../src/enginesim/index.js'
import { EMITTER_ADDRESS, INBOX_ADDRESS, INBOX_CODE, VALIDATE_MESSAGE_SELECTOR } from '../../src/evm/index.js'
import { initKeccak } from '../../src/util/keccak.js'

type Edr = typeof import('@nomicfoundation/edr')
const require = createRequire(import.meta.url)
const edr = require('@nomicfoundation/edr') as Edr

const N = Number(process.env.SG_BENCH_TXS ?? 1000)
const ROUNDS = Number(process.env.SG_BENCH_ROUNDS ?? 3)
const CHAIN_ID = 901
const GAS_LIMIT = 200_000_000n
const BASE_FEE = 1_000_000_000n
const SEQUENCER_VAULT = '0x4200000000000000000000000000000000000011'
const BASE_FEE_VAULT = '0x4200000000000000000000000000000000000019'
const BEACON_ROOT: Hex = `0x${'be'.repeat(32)}`
const KEYS: Hex[] = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
]
const word = (n: bigint | number) => BigInt(n).toString(16).padStart(64, '0')
type Kind = 'transfer' | 'interop'

async function signed(kind: Kind): Promise<Hex[]> {
  const out: Hex[] = []
  const per = Math.ceil(N / KEYS.length)
  for (const key of KEYS) {
    const a = privateKeyToAccount(key)
    for (let nonce = 0; nonce < per && out.length < N; nonce++) {
      const id = `${word(BigInt(EMITTER_ADDRESS))}${word(1)}${word(nonce)}${word(1_700_000_000)}${word(902)}`
      out.push(
        await a.signTransaction({
          type: 'eip1559',
          chainId: CHAIN_ID,
          nonce,
          to: kind === 'transfer' ? `0x${(0xb0b0 + nonce).toString(16).padStart(40, '0')}` : INBOX_ADDRESS,
          value: kind === 'transfer' ? 1n : 0n,
          gas: kind === 'transfer' ? 21_000n : 60_000n,
          maxFeePerGas: 10_000_000_000n,
          maxPriorityFeePerGas: 1_000_000n,
          data: kind === 'transfer' ? '0x' : `${VALIDATE_MESSAGE_SELECTOR}${id}${word(nonce)}`,
        }),
      )
    }
  }
  return out
}

// ---- EDR: its provider, automine off -----------------------------------------------------------

const context = new edr.EdrContext()

async function edrProvider() {
  const provider = await edr.Provider.withConfig(
    context,
    {
      allowBlocksWithSameTimestamp: true,
      allowUnlimitedContractSize: false,
      bailOnCallFailure: false,
      bailOnTransactionFailure: false,
      blockGasLimit: GAS_LIMIT,
      chainId: BigInt(CHAIN_ID),
      chains: [],
      coinbase: Buffer.from(SEQUENCER_VAULT.slice(2), 'hex'),
      enableRip7212: false,
      genesisAccounts: KEYS.map((k) => ({ secretKey: k, balance: 10n ** 22n })),
      hardfork: edr.SpecId.Prague,
      initialBaseFeePerGas: BASE_FEE,
      initialDate: 1n,
      minGasPrice: 0n,
      mining: { autoMine: false, memPool: { order: edr.MineOrdering.Priority } },
      networkId: BigInt(CHAIN_ID),
    },
    { enable: false, decodeConsoleLogInputsCallback: () => [], printLineCallback: () => {} },
    {},
    () => {},
  )
  let id = 0
  const call = async <T>(method: string, params: unknown[] = []): Promise<{ result: T; traces: number }> => {
    const res = await provider.handleRequest(JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }))
    const data = (typeof res.data === 'string' ? JSON.parse(res.data) : res.data) as {
      result?: T
      error?: { message: string }
    }
    if (data.error) throw new Error(`${method}: ${data.error.message}`)
    return { result: data.result as T, traces: res.traces.length }
  }
  await call('hardhat_setCode', [INBOX_ADDRESS, INBOX_CODE])
  return call
}

type Round = {
  admitMs: number
  buildMs: number
  admitCpu: number
  buildCpu: number
  validateMs?: number
  validateCpu?: number
}
const cpuSince = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from)
  return (d.user + d.system) / 1000
}

async function edrRound(raws: Hex[]): Promise<Round & { traces: number; gasUsed: bigint }> {
  const call = await edrProvider()
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  for (const raw of raws) await call('eth_sendRawTransaction', [raw])
  const admitMs = performance.now() - t0
  const admitCpu = cpuSince(c0)
  const c1 = process.cpuUsage()
  const t1 = performance.now()
  const mined = await call('evm_mine')
  const buildMs = performance.now() - t1
  const buildCpu = cpuSince(c1)
  const block = (await call<{ transactions: Hex[]; gasUsed: Hex }>('eth_getBlockByNumber', ['latest', false])).result
  if (block.transactions.length !== raws.length)
    throw new Error(`EDR mined ${block.transactions.length} of ${raws.length}`)
  return { admitMs, buildMs, admitCpu, buildCpu, traces: mined.traces, gasUsed: BigInt(block.gasUsed) }
}

// ---- engine-sim (@ethereumjs/vm): the same path in process ----------------------------------------

const logger = pino({ level: 'silent' })
const newSim = () =>
  EngineSim.create({
    chainId: CHAIN_ID,
    genesisTime: 0,
    gasLimit: GAS_LIMIT,
    fork: 'isthmus',
    mempoolSize: 10_000,
    logger,
  })

const attrs = (over: Partial<PayloadAttributesV3> = {}): PayloadAttributesV3 => ({
  timestamp: '0x2',
  prevRandao: `0x${'11'.repeat(32)}`,
  suggestedFeeRecipient: SEQUENCER_VAULT,
  withdrawals: [],
  parentBeaconBlockRoot: BEACON_ROOT,
  transactions: [],
  noTxPool: false,
  gasLimit: `0x${GAS_LIMIT.toString(16)}`,
  eip1559Params: '0x000000fa00000006',
  ...over,
})

/** engine-sim's JSON-RPC method table in process: a JSON request string in, a JSON answer string out, as EDR's handleRequest. */
function simCaller(sim: EngineSim) {
  const methods = engineSimMethods(sim)
  const ctx = { headers: {} }
  let id = 0
  return async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const req = JSON.parse(JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params })) as { params: unknown[] }
    const result = await methods.get(method)!(req.params, ctx)
    return (JSON.parse(JSON.stringify({ jsonrpc: '2.0', id, result })) as { result: T }).result
  }
}

async function simRound(raws: Hex[]): Promise<Round & { envelope: GetPayloadV4Result; gasUsed: bigint }> {
  const sim = await newSim()
  const call = simCaller(sim)
  const validate = simCaller(await newSim())
  const genesis = sim.chain.head.payload.blockHash
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  for (const raw of raws) await call('eth_sendRawTransaction', [raw])
  const admitMs = performance.now() - t0
  const admitCpu = cpuSince(c0)
  const c1 = process.cpuUsage()
  const t1 = performance.now()
  const fcu = await call<{ payloadId: Hex }>('engine_forkchoiceUpdatedV3', [
    { headBlockHash: genesis, safeBlockHash: genesis, finalizedBlockHash: genesis },
    attrs(),
  ])
  const envelope = await call<GetPayloadV4Result>('engine_getPayloadV4', [fcu.payloadId])
  const buildMs = performance.now() - t1
  const buildCpu = cpuSince(c1)
  const p = envelope.executionPayload
  if (p.transactions.length !== raws.length)
    throw new Error(`engine-sim built ${p.transactions.length} of ${raws.length}`)
  const c2 = process.cpuUsage()
  const t2 = performance.now()
  const status = await validate<{ status: string }>('engine_newPayloadV4', [
    p,
    [],
    envelope.parentBeaconBlockRoot,
    envelope.executionRequests,
  ])
  const validateMs = performance.now() - t2
  const validateCpu = cpuSince(c2)
  if (status.status !== 'VALID') throw new Error(`newPayload: ${JSON.stringify(status)}`)
  return { admitMs, buildMs, admitCpu, buildCpu, validateMs, validateCpu, envelope, gasUsed: BigInt(p.gasUsed) }
}

// ---- facts that decide the choice (not timed) ----------------------------------------------------

/** An OP deposit (0x7e) as op-node's L1-info deposit: what each side does with it. */
function depositRaw(): Hex {
  return serializeOpTransaction({
    type: 'deposit',
    sourceHash: `0x${'01'.padStart(64, '0')}`,
    from: '0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001',
    to: '0x4200000000000000000000000000000000000015',
    mint: 0n,
    value: 0n,
    gas: 1_000_000n,
    isSystemTx: false,
    data: '0x440a5e20',
  })
}

async function facts(transfers: Hex[]): Promise<string[]> {
  const out: string[] = []
  const call = await edrProvider()
  try {
    await call('eth_sendRawTransaction', [depositRaw()])
    out.push('EDR: a 0x7e deposit is accepted')
  } catch (err) {
    out.push(`EDR: a 0x7e deposit is refused (${(err as Error).message.slice(0, 120)})`)
  }
  await call('eth_sendRawTransaction', [transfers[0]])
  await call('evm_mine')
  const vault = BigInt((await call<Hex>('eth_getBalance', [BASE_FEE_VAULT, 'latest'])).result)
  out.push(`EDR: BaseFeeVault after one transfer ${vault} wei (base fee burned, L1 rule)`)
  const sim = await newSim()
  const genesis = sim.chain.head.payload.blockHash
  await sim.sendRawTransaction(transfers[0])
  const fcu = await sim.forkchoiceUpdated(
    { headBlockHash: genesis, safeBlockHash: genesis, finalizedBlockHash: genesis },
    attrs({ transactions: [depositRaw()] }),
  )
  const env = (await sim.getPayload(fcu.payloadId!, 4)) as GetPayloadV4Result
  const head = env.executionPayload
  const st = await sim.newPayload(4, head, [], env.parentBeaconBlockRoot, env.executionRequests)
  await sim.forkchoiceUpdated(
    { headBlockHash: head.blockHash, safeBlockHash: genesis, finalizedBlockHash: genesis },
    null,
  )
  const simVault = BigInt(await sim.state.balance(BASE_FEE_VAULT, 'latest'))
  out.push(
    `engine-sim: the deposit + transfer block ${st.status}, ${head.transactions.length} txs; BaseFeeVault ${simVault} wei (op-geth's rule)`,
  )
  // A napi addon in a worker thread (engine-sim's sweep and sender recovery run in workers).
  const inWorker = await new Promise<string>((resolve) => {
    const w = new Worker(
      `const { parentPort } = require('node:worker_threads');
       try { const e = require(${JSON.stringify(require.resolve('@nomicfoundation/edr'))}); new e.EdrContext(); parentPort.postMessage('ok') }
       catch (err) { parentPort.postMessage('failed: ' + String(err && err.message).slice(0, 120)) }`,
      { eval: true },
    )
    w.once('message', (m: string) => {
      resolve(m)
      void w.terminate()
    })
    w.once('error', (err) => resolve(`failed: ${err.message.slice(0, 120)}`))
  })
  out.push(`EDR in a worker thread: ${inWorker}`)
  return out
}

// ---- run -----------------------------------------------------------------------------------------

await initKeccak()
const best = (rs: Round[], k: keyof Round) => Math.min(...rs.map((r) => r[k] ?? Number.POSITIVE_INFINITY))
const rate = (ms: number) => Math.round((N / ms) * 1000)
const f0 = (n: number) => n.toFixed(0)
const lines: string[] = []
for (const kind of ['transfer', 'interop'] as const) {
  const raws = await signed(kind)
  // Warm-up (JIT, first-use caches), then alternate the two so both see the same load.
  await edrRound(raws)
  await simRound(raws)
  const edrRounds: Awaited<ReturnType<typeof edrRound>>[] = []
  const simRounds: Awaited<ReturnType<typeof simRound>>[] = []
  for (let r = 0; r < ROUNDS; r++) {
    edrRounds.push(await edrRound(raws))
    simRounds.push(await simRound(raws))
  }
  const eGas = edrRounds[0]!.gasUsed
  const sGas = simRounds[0]!.gasUsed
  const e = { admit: best(edrRounds, 'admitMs'), build: best(edrRounds, 'buildMs') }
  const s = { admit: best(simRounds, 'admitMs'), build: best(simRounds, 'buildMs') }
  const eC = { admit: best(edrRounds, 'admitCpu'), build: best(edrRounds, 'buildCpu') }
  const sC = { admit: best(simRounds, 'admitCpu'), build: best(simRounds, 'buildCpu') }
  const eTotal = Math.min(...edrRounds.map((r) => r.admitMs + r.buildMs))
  const sTotal = Math.min(...simRounds.map((r) => r.admitMs + r.buildMs))
  const eCpu = Math.min(...edrRounds.map((r) => r.admitCpu + r.buildCpu))
  const sCpu = Math.min(...simRounds.map((r) => r.admitCpu + r.buildCpu))
  lines.push(
    `${kind}: ${N} txs, gas used EDR ${eGas} / engine-sim ${sGas}`,
    `  EDR (provider: sendRawTransaction × ${N} + evm_mine, ${edrRounds[0]!.traces} traces collected): admit ${f0(e.admit)} ms, mine ${f0(e.build)} ms (${rate(e.build)}/s), total ${f0(eTotal)} ms (${rate(eTotal)}/s) | CPU admit ${f0(eC.admit)} ms, mine ${f0(eC.build)} ms (${rate(eC.build)}/s), total ${f0(eCpu)} ms (${rate(eCpu)}/s)`,
    `  engine-sim (@ethereumjs/vm, its method table: eth_sendRawTransaction × ${N} + engine_forkchoiceUpdatedV3 + engine_getPayloadV4): admit ${f0(s.admit)} ms, build ${f0(s.build)} ms (${rate(s.build)}/s), total ${f0(sTotal)} ms (${rate(sTotal)}/s) | CPU admit ${f0(sC.admit)} ms, build ${f0(sC.build)} ms (${rate(sC.build)}/s), total ${f0(sCpu)} ms (${rate(sCpu)}/s); engine_newPayloadV4 on a second engine ${f0(best(simRounds, 'validateMs'))} ms, CPU ${f0(best(simRounds, 'validateCpu'))} ms (EDR: no block import)`,
    `  ratio EDR ÷ ethereumjs (time; < 1: EDR faster): admit ${(e.admit / s.admit).toFixed(2)}, block ${(e.build / s.build).toFixed(2)}, total ${(eTotal / sTotal).toFixed(2)} | CPU admit ${(eC.admit / sC.admit).toFixed(2)}, block ${(eC.build / sC.build).toFixed(2)}, total ${(eCpu / sCpu).toFixed(2)}`,
  )
  console.log(lines.slice(-4).join('\n'))
}
for (const line of await facts(await signed('transfer'))) console.log(line)
