import { EventEmitter } from 'node:events'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { Counter } from 'prom-client'
import { InvalidParamsError, UnauthorizedError } from '../errors/index.js'
import type { Hex } from '../engine/types.js'
import { RpcClient } from '../rpc/client.js'
import { verifyJwt, readJwtSecret } from '../rpc/jwt.js'
import type { RpcMethod } from '../rpc/jsonrpc.js'
import { createRegistry, rpcCallObserver } from '../rpc/metrics.js'
import { listenerLimits } from '../rpc/limits.js'
import { createRpcServer } from '../rpc/server.js'
import { parseEndpoint, parseListen } from '../sequencer/endpoint.js'
import type { StartBuildingParams } from '../sequencer/types.js'
import { initKeccak } from '../util/keccak.js'
import { backoffMs, FailureLog } from '../util/failureLog.js'
import { createLogger } from '../util/logger.js'
import { assembleBlock, childBaseFee, submissionOf, type AssembledBlock, type ParentHeader } from './assemble.js'
import { orderByFee } from './feePolicy.js'
import { InteropChecker } from './interopCheck.js'
import { BuilderMempool } from './mempool.js'
import type { BuilderConfig } from './options.js'

export type SubmittedEvent = { jobId: Hex; blockHash: Hex; value: bigint; txs: number; result: { status: string; reason?: string } | { error: string } }

export type BuilderHandle = {
  url: string
  mempool: BuilderMempool
  events: EventEmitter
  /** Resolves with the next `submitted` event that satisfies `match`. */
  waitForSubmission(match?: (e: SubmittedEvent) => boolean, timeoutMs?: number): Promise<SubmittedEvent>
  interop: InteropChecker | undefined
  registry: Registry
  close(): Promise<void>
}

/**
 * Retry delays after failed engine look-ups: 50 ms doubling to 1 s (jittered into [d/2, d]). A dead
 * engine then gets ~1–2 requests a second instead of 40 (one per 25 ms poll); a recovered one is
 * found within 1 s, inside a 2 s slot.
 */
const ENGINE_RETRY_BASE_MS = 50
const ENGINE_RETRY_MAX_MS = 1000
/** /healthz asks the engine at most this often. */
const HEALTH_PROBE_MS = 1000
/** How often a parent the engine does not know yet (null answer) is asked for again: it arrives by replication within ms. */
const PARENT_POLL_MS = 25

type FullBlock = ParentHeader & { transactions: { hash: string; from?: string; nonce?: string }[] }

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** A job from builder_startBuilding, checked enough that building on it cannot throw later. */
function parseJob(p: unknown): StartBuildingParams {
  if (!isObj(p) || typeof p.jobId !== 'string' || !isObj(p.parent) || typeof p.parent.hash !== 'string' || !isObj(p.attributes)
    || typeof p.attributes.timestamp !== 'string' || typeof p.deadline !== 'number' || (p.engineVersion !== 3 && p.engineVersion !== 4)) {
    throw new InvalidParamsError('builder_startBuilding expects {jobId, parent: {hash, number, timestamp}, attributes, deadline, engineVersion}')
  }
  return p as unknown as StartBuildingParams
}

/**
 * `superguard builder`, the reference builder: it keeps its own mempool (fed through
 * eth_sendRawTransaction by the ingress fan-out), and for each job it builds at once by a simple fee
 * policy, submits early, and rebuilds and resubmits whenever the mempool yields a better block,
 * until shortly before the deadline. Blocks are assembled locally (src/builder/assemble.ts) on the
 * parent header its paired engine-sim provides.
 */
export async function startBuilder(config: BuilderConfig, opts: { logger?: Logger } = {}): Promise<BuilderHandle> {
  await initKeccak()
  const log = (opts.logger ?? createLogger(config.logLevel)).child({ role: 'builder' })
  if (!config.sequencer || !config.jwtSecret || !config.engine) throw new InvalidParamsError('superguard builder needs --sequencer, --jwt-secret and --engine')
  const secret = readJwtSecret(config.jwtSecret)
  const engineEp = parseEndpoint(config.engine, '--engine')
  const engine = new RpcClient(engineEp.url, { timeoutMs: 2000, ...(engineEp.jwtSecret ? { jwtSecret: engineEp.jwtSecret } : {}) })
  const sequencer = new RpcClient(config.sequencer, { timeoutMs: 2000, jwtSecret: secret })
  let chainId = config.chainId
  if (chainId === undefined) {
    try { chainId = Number(BigInt(await engine.call<string>('eth_chainId', []))) } catch { log.warn('engine unreachable at start: chain id unknown until configured') }
  }
  const mempool = new BuilderMempool(config.mempoolSize, chainId)
  const events = new EventEmitter()
  events.setMaxListeners(0)
  const registry = createRegistry()
  const submitted = new Counter({ name: 'superguard_builder_submissions_total', help: 'Blocks submitted, by answer', labelNames: ['status', 'reason'] as const, registers: [registry] })
  const failures = new Counter({ name: 'superguard_builder_failures_total', help: 'Failed requests of the builder to its engine (parent look-ups) and its supervisor (interop check batches)', labelNames: ['upstream'] as const, registers: [registry] })
  const missed = new Counter({ name: 'superguard_builder_jobs_missed_total', help: 'Jobs that ended without a block because the parent was not available before the deadline', registers: [registry] })
  const interop = config.checkInterop
    ? new InteropChecker(config.checkInterop, { timeoutMs: 500, log, failureLogIntervalMs: config.failureLogInterval, onFailure: () => failures.inc({ upstream: 'supervisor' }) })
    : undefined
  // One line per interval with the count of missed jobs (during an outage, one job per slot), and one when a job finds its parent again.
  const missedLog = new FailureLog(log, 'parent block not available before the deadline', config.failureLogInterval)
  /** Engine look-ups failed in a row (across jobs: a new job does not reset the backoff), and when the next may go. */
  let engineFailures = 0
  let engineRetryAt = 0
  let engineError: string | undefined

  let current: StartBuildingParams | undefined
  let gen = 0
  let closed = false
  const wakers = new Set<() => void>()
  const wake = () => { for (const w of [...wakers]) w() }
  const offPool = mempool.onChange(wake)
  /** Waits until woken (mempool change, deadline notice, new job, close) or `ms` pass. */
  const nap = (ms: number) => new Promise<void>((resolve) => {
    const done = () => { clearTimeout(t); wakers.delete(done); resolve() }
    const t = setTimeout(done, Math.max(0, ms))
    wakers.add(done)
  })
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)))
  const running = new Set<Promise<void>>()

  /** Waits until `t` (or `stopAt`), cut short only by a new job or close: mempool changes do not end a backoff. */
  async function waitUntil(t: number, g: number): Promise<void> {
    while (g === gen && !closed && Date.now() < t) await nap(t - Date.now())
  }

  async function parentOf(job: StartBuildingParams, stopAt: number, g: number): Promise<FullBlock | undefined> {
    // The paired engine follows the chain by gossip/replication and may not have the parent yet:
    // a null answer is asked again every PARENT_POLL_MS; a failed request backs off.
    while (g === gen && !closed && Date.now() < stopAt) {
      if (Date.now() < engineRetryAt) {
        await waitUntil(Math.min(engineRetryAt, stopAt), g)
        continue
      }
      try {
        const b = await engine.call<FullBlock | null>('eth_getBlockByHash', [job.parent.hash, true])
        engineFailures = 0
        engineError = undefined
        if (b) return b
      } catch (err) {
        engineFailures++
        engineError = (err as Error).message
        failures.inc({ upstream: 'engine' })
        engineRetryAt = Date.now() + backoffMs(engineFailures, ENGINE_RETRY_BASE_MS, ENGINE_RETRY_MAX_MS)
        log.debug({ err: engineError, failures: engineFailures }, 'engine look-up failed')
        continue
      }
      await waitUntil(Math.min(Date.now() + PARENT_POLL_MS, stopAt), g)
    }
    return undefined
  }

  async function submit(block: AssembledBlock, stopAt: number): Promise<SubmittedEvent['result']> {
    try {
      return await sequencer.call<{ status: string; reason?: string }>('pbs_submitBlock', [submissionOf(block)], AbortSignal.timeout(Math.max(1, stopAt - Date.now() + config.submitMarginMs)))
    } catch (err) {
      return { error: (err as Error).message }
    }
  }

  async function run(job: StartBuildingParams, g: number): Promise<void> {
    const stopAt = job.deadline - config.submitMarginMs
    const parent = await parentOf(job, stopAt, g)
    if (!parent) {
      if (g === gen && !closed) {
        missed.inc()
        missedLog.failure(engineError ? `engine: ${engineError}` : 'the engine does not know the parent', { jobId: job.jobId, parent: job.parent.hash })
      }
      return
    }
    missedLog.success({ jobId: job.jobId })
    mempool.included(parent.transactions.filter((t) => typeof t === 'object'))
    const baseFee = childBaseFee(job, parent)
    const verdicts = new Map<string, boolean>()
    let built = -1
    let best = -1n
    while (g === gen && !closed && Date.now() < stopAt) {
      if (mempool.version !== built) {
        built = mempool.version
        let txs = orderByFee(mempool.entries(), baseFee)
        if (interop && chainId !== undefined) txs = await interop.filter(txs, BigInt(chainId), BigInt(job.attributes.timestamp), verdicts)
        const block = assembleBlock(job, parent, txs)
        // The first block goes at once (the sequencer has something early); later ones only when better.
        if (best < 0n || block.value > best) {
          best = block.value
          if (g !== gen || Date.now() >= stopAt) break
          const result = await submit(block, stopAt)
          submitted.inc({ status: 'status' in result ? result.status : 'error', reason: 'reason' in result ? result.reason ?? '' : '' })
          const ev: SubmittedEvent = { jobId: job.jobId, blockHash: block.executionPayload.blockHash, value: block.value, txs: block.included.length, result }
          log.debug(ev, 'submitted block')
          events.emit('submitted', ev)
        }
        // Rate of rebuilds: at most one per interval.
        await sleep(Math.min(config.resubmitInterval, stopAt - Date.now()))
      } else {
        await nap(stopAt - Date.now())
      }
    }
  }

  const authorized = (ctx: { headers: Readonly<Record<string, string | string[] | undefined>> }) => {
    const why = verifyJwt(secret, ctx.headers.authorization)
    if (why) throw new UnauthorizedError(why)
  }

  /**
   * The engine probe of /healthz, at most one per HEALTH_PROBE_MS and shared by concurrent calls:
   * the listener is open, and each hit was an engine request (50 concurrent probes, 50 requests).
   */
  let probe: { at: number; problem: Promise<string | undefined> } | undefined
  const engineProblem = (): Promise<string | undefined> => {
    const now = Date.now()
    if (!probe || now - probe.at >= HEALTH_PROBE_MS) {
      probe = { at: now, problem: engine.call('eth_blockNumber', []).then(() => undefined, (err: unknown) => (err as Error).message) }
    }
    return probe.problem
  }

  const methods = new Map<string, RpcMethod>([
    ['eth_sendRawTransaction', (p) => mempool.add(p[0])],
    ['eth_chainId', () => (chainId === undefined ? null : `0x${chainId.toString(16)}`)],
    ['builder_startBuilding', (p, ctx) => {
      authorized(ctx)
      const job = parseJob(p[0])
      // A new job supersedes every older one.
      current = job
      const g = ++gen
      wake()
      events.emit('job', job)
      // Older runs see the new generation and stop at their next step; nothing waits for them.
      const r = run(job, g).catch((err: unknown) => log.error({ err }, 'build loop failed')).finally(() => running.delete(r))
      running.add(r)
      return null
    }],
    ['builder_deadline', (p, ctx) => {
      authorized(ctx)
      const d = p[0]
      if (!isObj(d) || d.jobId !== current?.jobId) return null
      wake()
      return null
    }],
  ])
  const app = createRpcServer({
    methods, logger: log, registry, observe: rpcCallObserver(registry),
    name: 'builder', limits: listenerLimits(config), maxResponseBytes: config.maxResponseBytes,
    health: async () => {
      const problem = await engineProblem()
      return problem === undefined
        ? { status: 200, body: { ok: true, mempool: mempool.size, job: current?.jobId ?? null } }
        : { status: 503, body: { ok: false, engine: problem } }
    },
  })
  const { host, port } = parseListen(config.listen, '--listen')
  await app.listen({ host, port })
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${(app.server.address() as AddressInfo).port}`
  log.info({ url, sequencer: config.sequencer, engine: engineEp.url, interop: config.checkInterop ?? null }, 'builder listening')

  return {
    url,
    mempool,
    events,
    interop,
    registry,
    waitForSubmission(match = () => true, timeoutMs = 15_000) {
      return new Promise<SubmittedEvent>((resolve, reject) => {
        const t = setTimeout(() => { events.off('submitted', on); reject(new Error('timed out waiting for a submission')) }, timeoutMs)
        const on = (e: SubmittedEvent) => {
          if (!match(e)) return
          clearTimeout(t)
          events.off('submitted', on)
          resolve(e)
        }
        events.on('submitted', on)
      })
    },
    async close() {
      closed = true
      gen++
      wake()
      offPool()
      await app.close()
      await Promise.all(running)
      missedLog.close()
      engine.close()
      sequencer.close()
      interop?.close()
    },
  }
}
