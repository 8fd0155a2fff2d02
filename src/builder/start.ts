import { EventEmitter } from 'node:events'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { InvalidParamsError, UnauthorizedError } from '../errors/index.js'
import type { Hex } from '../engine/types.js'
import { RpcClient } from '../rpc/client.js'
import { verifyJwt, readJwtSecret } from '../rpc/jwt.js'
import type { RpcMethod } from '../rpc/jsonrpc.js'
import { createRegistry, rpcCallObserver } from '../rpc/metrics.js'
import { createRpcServer } from '../rpc/server.js'
import { parseEndpoint, parseListen } from '../rpc/endpoint.js'
import type { StartBuildingParams } from '../pbs/index.js'
import { initKeccak } from '../util/keccak.js'
import { createLogger } from '../util/logger.js'
import { assembleBlock, childBaseFee, submissionOf, type AssembledBlock, type ParentHeader } from './assemble.js'
import { orderByFee } from './feePolicy.js'
import { InteropChecker } from './interopCheck.js'
import { builderMetrics } from './metrics.js'
import { BuilderMempool } from './mempool.js'
import { builderConfig, type BuilderInput } from './options.js'

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
export async function startBuilder(values: BuilderInput, opts: { logger?: Logger } = {}): Promise<BuilderHandle> {
  const config = builderConfig({ values })
  await initKeccak()
  const log = (opts.logger ?? createLogger(config.logLevel)).child({ role: 'builder' })
  const secret = readJwtSecret(config.jwtSecret)
  const engineEp = parseEndpoint(config.engine, '--engine')
  const engine = new RpcClient(engineEp.url, { timeoutMs: 2000, ...(engineEp.jwtSecret ? { jwtSecret: engineEp.jwtSecret } : {}) })
  const sequencer = new RpcClient(config.sequencer, { timeoutMs: 2000, jwtSecret: secret })
  let chainId = config.chainId
  if (chainId === undefined) {
    try { chainId = Number(BigInt(await engine.call<string>('eth_chainId', []))) } catch { log.warn('engine unreachable at start: chain id unknown until configured') }
  }
  const mempool = new BuilderMempool(config.mempoolSize, chainId)
  const interop = config.checkInterop ? new InteropChecker(config.checkInterop, { timeoutMs: 500, log }) : undefined
  const events = new EventEmitter()
  events.setMaxListeners(0)
  const registry = createRegistry()
  const { submitted } = builderMetrics(registry)

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

  async function parentOf(job: StartBuildingParams, stopAt: number, g: number): Promise<FullBlock | undefined> {
    // The paired engine follows the chain by gossip/replication and may not have the parent yet.
    while (g === gen && !closed && Date.now() < stopAt) {
      try {
        const b = await engine.call<FullBlock | null>('eth_getBlockByHash', [job.parent.hash, true])
        if (b) return b
      } catch (err) {
        log.debug({ err: (err as Error).message }, 'engine look-up failed')
      }
      await nap(Math.min(25, stopAt - Date.now()))
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
    if (!parent) { if (g === gen) log.warn({ jobId: job.jobId, parent: job.parent.hash }, 'parent block not available before the deadline'); return }
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
    health: async () => {
      try {
        await engine.call('eth_blockNumber', [])
        return { status: 200, body: { ok: true, mempool: mempool.size, job: current?.jobId ?? null } }
      } catch (err) {
        return { status: 503, body: { ok: false, engine: (err as Error).message } }
      }
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
      engine.close()
      sequencer.close()
      interop?.close()
    },
  }
}
