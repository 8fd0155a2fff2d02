import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { UnauthorizedError } from '../errors/index.js'
import type { StartBuildingParams } from '../pbs/index.js'
import type { RpcClient } from '../rpc/client.js'
import type { RpcMethod } from '../rpc/jsonrpc.js'
import { verifyJwt } from '../rpc/jwt.js'
import type { ListenerLimits } from '../rpc/limits.js'
import { rpcCallObserver } from '../rpc/metrics.js'
import { createRpcServer } from '../rpc/server.js'
import { evictNotice } from './evictNotice.js'
import type { JobFollower } from './jobFollower.js'
import type { BuilderMempool } from './mempool.js'
import { isObj, parseJob } from './parseJob.js'

export type BuilderRpcServerOptions = {
  /** JWT secret shared with the sequencer: builder_startBuilding and builder_deadline must carry it. */
  secret: Buffer
  mempool: BuilderMempool
  chainId: number | undefined
  follower: JobFollower
  /** A new job from builder_startBuilding (already parsed). */
  onJob: (job: StartBuildingParams) => void
  /** The paired engine: /healthz is unhealthy while it does not answer. */
  engine: RpcClient
  log: Logger
  registry: Registry
  limits: Partial<ListenerLimits>
  maxResponseBytes: number
}

/** /healthz asks the engine at most this often. */
const HEALTH_PROBE_MS = 1000

/**
 * The builder's JSON-RPC face: eth_sendRawTransaction and eth_chainId open (the ingress fan-out),
 * builder_evictTransactions open (the sweep's notice: it can only remove, as anvil_dropTransaction),
 * builder_startBuilding and builder_deadline JWT-checked (the sequencer), /healthz, /metrics.
 */
export function createBuilderRpcServer(o: BuilderRpcServerOptions): FastifyInstance {
  const { secret, mempool, chainId, follower, engine } = o
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
      probe = {
        at: now,
        problem: engine.call('eth_blockNumber', []).then(
          () => undefined,
          (err: unknown) => (err as Error).message,
        ),
      }
    }
    return probe.problem
  }

  const methods = new Map<string, RpcMethod>([
    ['eth_sendRawTransaction', (p) => mempool.add(p[0])],
    ['eth_chainId', () => (chainId === undefined ? null : `0x${chainId.toString(16)}`)],
    ['builder_evictTransactions', (p) => evictNotice(p[0], chainId, mempool)],
    [
      'builder_startBuilding',
      (p, ctx) => {
        authorized(ctx)
        o.onJob(parseJob(p[0]))
        return null
      },
    ],
    [
      'builder_deadline',
      (p, ctx) => {
        authorized(ctx)
        const d = p[0]
        if (!isObj(d) || d.jobId !== follower.current?.jobId) return null
        follower.wake()
        return null
      },
    ],
  ])
  return createRpcServer({
    methods,
    logger: o.log,
    registry: o.registry,
    observe: rpcCallObserver(o.registry),
    name: 'builder',
    limits: o.limits,
    maxResponseBytes: o.maxResponseBytes,
    health: async () => {
      const problem = await engineProblem()
      return problem === undefined
        ? { status: 200, body: { ok: true, mempool: mempool.size, job: follower.current?.jobId ?? null } }
        : { status: 503, body: { ok: false, engine: problem } }
    },
  })
}
