import { computeBlockHash } from '../engine/blockHash.js'
import { decodeTx } from '../engine/decodeTx.js'
import { nextBaseFee } from '../engine/feeParams.js'
import type { Fork } from '../engine/fork.js'
import { sealPayload } from '../engine/sealPayload.js'
import type { ExecutionPayloadV3, Hex } from '../engine/types.js'
import type { StartBuildingParams } from '../pbs/index.js'
import { RemoteRpcError, RpcClient, readJwtSecret, signJwt, TransportError } from '../rpc/index.js'
import { toQuantity } from '../util/hex.js'
import { LoadtestError } from './errors.js'
import { type Mix, planCases } from './mix.js'
import type { WireRequest } from './protocol.js'
import { derivedKey, signer } from './signer.js'
import type { CallOutcome, Expected, Generation, Judged, Workload } from './workload.js'

/**
 * Refusals of a well-formed block that say nothing against its content: the job moved on, the
 * deadline passed, the builder is over its share, the same block twice (the flood rotates a few).
 * A builder API that answers them under load is right; one that answers `bad_block_hash` is not.
 */
export const LOAD_REFUSALS: ReadonlySet<string> = new Set([
  'rejected:unknown_job',
  'rejected:past_deadline',
  'rejected:job_sealed',
  'rejected:rate_limited',
  'rejected:duplicate_block',
  // The mix's malformed blocks count toward the submitting builder's circuit breaker: once it opens,
  // every block of that builder is refused for the cool-down (found at ~300 submissions/s on a quiet box).
  'rejected:circuit_open',
  // HTTP 429 before the body is read (over --builder-requests-per-second)
  '-32017',
])

/** Submissions per job: distinct blocks rotated until the next job. */
const PER_JOB = 16
const MALFORMED = ['missing_field', 'wrong_parent_hash', 'bad_block_hash'] as const

type ParentHeader = {
  hash: Hex
  number: Hex
  stateRoot: Hex
  gasLimit: Hex
  gasUsed: Hex
  baseFeePerGas: Hex
  extraData: Hex
}

export type BuilderInput = {
  target: string
  jwtSecret: string
  /** eth_ RPC of the chain (an engine or replica): the parent header of each job. */
  rpc: string
  debug: string | undefined
  mix: Mix
  timeoutMs: number
}

/**
 * pbs_submitBlock floods for the current job (pbs_getJob, followed as it changes): well-formed
 * blocks (forced transactions and one distinct transfer each, hashed as an engine does) and
 * malformed ones (a missing field, a wrong parent, a wrong block hash). Each answer is keyed by
 * status and reason (`accepted`, `rejected:<reason>`, or the JSON-RPC code).
 */
export async function builderWorkload(input: BuilderInput): Promise<Workload> {
  let secret: Buffer
  try {
    secret = readJwtSecret(input.jwtSecret)
  } catch (err) {
    throw new LoadtestError(`--jwt-secret ${input.jwtSecret}: ${(err as Error).message}`)
  }
  const api = new RpcClient(input.target, { jwtSecret: secret, timeoutMs: input.timeoutMs })
  const chain = new RpcClient(input.rpc, { timeoutMs: input.timeoutMs })
  const spender = signer(derivedKey(`0x${'11'.repeat(32)}`, 0))
  let serial = 0
  const cases = planCases(input.mix, PER_JOB)
  const metricsBefore = input.debug ? await scrape(input.debug, input.timeoutMs) : undefined

  async function currentJob(): Promise<StartBuildingParams | null> {
    try {
      return await api.call<StartBuildingParams | null>('pbs_getJob')
    } catch (err) {
      if (err instanceof TransportError) throw new LoadtestError(`target ${input.target} unreachable: ${err.message}`)
      if (err instanceof RemoteRpcError)
        throw new LoadtestError(`target ${input.target}: pbs_getJob failed: ${err.rpcCode} ${err.message}`)
      throw err
    }
  }

  async function generation(job: StartBuildingParams): Promise<Generation> {
    let parent: ParentHeader | null
    try {
      parent = await chain.call<ParentHeader | null>('eth_getBlockByHash', [job.parent.hash, false])
    } catch (err) {
      throw new LoadtestError(`--rpc ${input.rpc}: eth_getBlockByHash failed: ${(err as Error).message}`)
    }
    if (!parent) throw new LoadtestError(`--rpc ${input.rpc} does not know the job's parent ${job.parent.hash}`)
    const fork = forkOf(job)
    const baseFee = nextBaseFee(fork, {
      gasLimit: BigInt(parent.gasLimit),
      gasUsed: BigInt(parent.gasUsed),
      baseFee: BigInt(parent.baseFeePerGas),
      extraData: parent.extraData,
    })
    const gasLimit = BigInt(job.attributes.gasLimit ?? parent.gasLimit)
    const forced = (job.attributes.transactions ?? []).map((raw) => decodeTx(raw))
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${signJwt(secret)}` }
    const requests: WireRequest[] = []
    const expected: Expected[] = []
    for (const kase of cases) {
      const n = serial++
      const tx = spender.sign({
        type: 'eip1559',
        chainId: Number(BigInt((await chainIdOf()) ?? 0)),
        nonce: n,
        to: '0x000000000000000000000000000000000000dead',
        value: 1n,
        gas: 21_000n,
        maxFeePerGas: baseFee * 2n + 1_000_000_000n,
        maxPriorityFeePerGas: 1_000_000_000n,
      })
      const { payload, blockValue } = sealPayload({
        fork,
        version: job.engineVersion === 4 ? 4 : 3,
        parent: { hash: parent.hash, number: BigInt(parent.number), stateRoot: parent.stateRoot },
        attrs: job.attributes,
        gasLimit,
        baseFee,
        txs: [...forced, decodeTx(tx)],
      })
      const submission: Record<string, unknown> = {
        jobId: job.jobId,
        executionPayload: payload,
        parentBeaconBlockRoot: job.attributes.parentBeaconBlockRoot,
        blockValue: toQuantity(blockValue),
      }
      if (job.engineVersion === 4) submission.executionRequests = []
      let label: string = kase
      if (kase === 'malformed') {
        const how = MALFORMED[n % MALFORMED.length]!
        label = `malformed`
        if (how === 'missing_field') delete submission.parentBeaconBlockRoot
        else if (how === 'wrong_parent_hash') {
          const p: ExecutionPayloadV3 = { ...payload, parentHash: `0x${'ab'.repeat(32)}` }
          p.blockHash = computeBlockHash(
            p,
            job.attributes.parentBeaconBlockRoot,
            job.engineVersion === 4 ? [] : undefined,
          )
          submission.executionPayload = p
        } else submission.executionPayload = { ...payload, blockHash: `0x${'cd'.repeat(32)}` }
      }
      requests.push({
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: n + 1, method: 'pbs_submitBlock', params: [submission] }),
      })
      expected.push({ cases: [label], expect: [label === 'valid' ? 'accepted' : 'refused'] })
    }
    return { requests, expected }
  }

  let cachedChainId: string | undefined
  async function chainIdOf(): Promise<string | undefined> {
    cachedChainId ??= await chain.call<string>('eth_chainId').catch(() => '0x0')
    return cachedChainId
  }

  let job = await currentJob()
  const deadline = Date.now() + input.timeoutMs
  while (job === null && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50))
    job = await currentJob()
  }
  if (job === null)
    throw new LoadtestError(
      `target ${input.target} has no current job (pbs_getJob answered null for ${input.timeoutMs} ms)`,
    )
  const first = await generation(job)
  const jobs = { seen: 1 }

  return {
    method: 'pbs_submitBlock',
    mix: Object.fromEntries(input.mix),
    batch: 1,
    first,
    probe: [first.requests[0]!],
    partition: false,
    judge: judgeSubmission,
    live(replace) {
      // follow the job: a new one gets its own blocks (the old ones would all be unknown_job)
      let stopped = false
      let current = job!.jobId
      const loop = (async () => {
        while (!stopped) {
          await new Promise((r) => setTimeout(r, 50))
          const next = await currentJob().catch(() => null)
          if (stopped || next === null || next.jobId === current) continue
          current = next.jobId
          jobs.seen++
          replace(await generation(next).catch(() => first))
        }
      })()
      return async () => {
        stopped = true
        await loop
      }
    },
    async extra() {
      const out: Record<string, unknown> = { jobs: jobs.seen }
      if (input.debug && metricsBefore)
        out.sequencer = sequencerTiming(metricsBefore, await scrape(input.debug, input.timeoutMs))
      api.close()
      chain.close()
      return out
    },
  }
}

/** `accepted`, `rejected:<reason>` or the JSON-RPC code; valid must be accepted or refused for load, malformed never accepted. */
export function judgeSubmission(body: string, expected: Expected): Judged {
  let a: { result?: { status?: unknown; reason?: unknown }; error?: { code?: unknown } }
  try {
    a = JSON.parse(body)
  } catch {
    return 'garbage'
  }
  let got: string
  if (a?.error !== undefined && typeof a.error?.code === 'number') got = String(a.error.code)
  else if (a?.result?.status === 'accepted') got = 'accepted'
  else if (a?.result?.status === 'rejected') got = `rejected:${String(a.result.reason)}`
  else return 'garbage'
  const kase = expected.cases[0]!
  const ok = kase === 'valid' ? got === 'accepted' || LOAD_REFUSALS.has(got) : got !== 'accepted'
  const outcome: CallOutcome = { case: kase, got, expected: expected.expect[0]!, ok }
  return [outcome]
}

/** The fork a job implies (as the reference builder reads it): V4 Isthmus+, minBaseFee Jovian, eip1559Params Holocene. */
function forkOf(job: StartBuildingParams): Fork {
  const a = job.attributes
  if (job.engineVersion === 4) return a.minBaseFee !== undefined && a.minBaseFee !== null ? 'jovian' : 'isthmus'
  return a.eip1559Params !== undefined && a.eip1559Params !== null ? 'holocene' : 'ecotone'
}

type Metrics = Map<string, number>

async function scrape(url: string, timeoutMs: number): Promise<Metrics> {
  let text: string
  try {
    const res = await fetch(new URL('/metrics', url), { signal: AbortSignal.timeout(timeoutMs) })
    text = await res.text()
  } catch (err) {
    throw new LoadtestError(`--debug ${url}/metrics unreachable: ${(err as Error).message}`)
  }
  const out: Metrics = new Map()
  for (const line of text.split('\n')) {
    const m = /^(superguard_sequencer_[a-z_]+(?:\{[^}]*\})?) ([0-9.eE+-]+|NaN)$/.exec(line)
    if (m) out.set(m[1]!, Number(m[2]))
  }
  return out
}

/** Seal timing over the run (histogram sums and counts, before → after) and the loop delay the sequencer showed. */
function sequencerTiming(before: Metrics, after: Metrics): Record<string, unknown> {
  const mean = (name: string) => {
    const n = (after.get(`${name}_count`) ?? 0) - (before.get(`${name}_count`) ?? 0)
    const s = (after.get(`${name}_sum`) ?? 0) - (before.get(`${name}_sum`) ?? 0)
    return n > 0 ? { count: n, meanMs: Math.round((s / n) * 1e6) / 1e3 } : { count: 0, meanMs: null }
  }
  const gauge = (q: string) => {
    const v = after.get(`superguard_sequencer_event_loop_delay_seconds{quantile="${q}"}`)
    return v === undefined ? null : Math.round(v * 1e6) / 1e3
  }
  return {
    deadlineToSeal: mean('superguard_sequencer_deadline_to_seal_seconds'),
    engineGetPayload: mean('superguard_sequencer_engine_get_payload_seconds'),
    validation: mean('superguard_sequencer_validation_seconds'),
    eventLoopDelayMs: { p50: gauge('0.5'), p99: gauge('0.99'), max: gauge('1') },
  }
}
