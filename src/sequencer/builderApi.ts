import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { UnauthorizedError } from '../errors/index.js'
import type { StartBuildingParams, SubmitResult } from '../pbs/index.js'
import type { CallObserver, RpcContext, RpcMethod } from '../rpc/jsonrpc.js'
import type { ListenerLimits } from '../rpc/limits.js'
import { createRpcServer, type Health } from '../rpc/server.js'
import { BUILDER_HEADER, type Identity, installJwtAuth, RateLimiter } from './auth.js'
import type { Job } from './types.js'

export type BuilderApiOptions = {
  builders: readonly Identity[]
  submit: (builder: string, params: unknown) => SubmitResult | Promise<SubmitResult>
  currentJob: () => Job | undefined
  logger: Logger
  /** Serves /metrics from it. */
  registry?: Registry
  observe?: CallObserver
  health?: () => Health | Promise<Health>
  /** Largest request body (one submission): a larger one gets HTTP 413 / -32021 before it is parsed. */
  maxBodyBytes: number
  /** HTTP requests per second per builder (burst twice that); 0 = unlimited. */
  requestsPerSecond: number
  onReject?: (why: string) => void
  /** Listener timeouts and connection cap. */
  limits?: Partial<ListenerLimits>
  maxResponseBytes?: number
}

/** The wire form of a job, as builder_startBuilding sends it and pbs_getJob returns it. */
export function jobParams(job: Job): StartBuildingParams {
  return {
    jobId: job.jobId,
    parent: job.parent,
    attributes: job.attributes,
    deadline: job.deadline,
    engineVersion: job.engineVersion,
    ...(job.getPayloadVersion !== job.engineVersion ? { getPayloadVersion: job.getPayloadVersion } : {}),
  }
}

function builderOf(ctx: RpcContext): string {
  const id = ctx.headers[BUILDER_HEADER]
  if (typeof id !== 'string') throw new UnauthorizedError('no builder identity')
  return id
}

/**
 * The builder → superguard listener: `pbs_submitBlock` answers on the fast path (accepted or
 * rejected with a reason) and `pbs_getJob` returns the current job. Each builder signs with its own
 * JWT secret; the secret that verifies identifies the builder.
 */
export function createBuilderApi(o: BuilderApiOptions): FastifyInstance {
  const methods = new Map<string, RpcMethod>([
    ['pbs_submitBlock', (params, ctx) => o.submit(builderOf(ctx), params[0])],
    [
      'pbs_getJob',
      (_params, ctx) => {
        builderOf(ctx)
        const job = o.currentJob()
        return job ? jobParams(job) : null
      },
    ],
  ])
  const app = createRpcServer({
    methods,
    logger: o.logger,
    bodyLimit: o.maxBodyBytes,
    maxBatch: 16,
    name: 'builder-api',
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.maxResponseBytes ? { maxResponseBytes: o.maxResponseBytes } : {}),
    ...(o.registry ? { registry: o.registry } : {}),
    ...(o.observe ? { observe: o.observe } : {}),
    ...(o.health ? { health: o.health } : {}),
  })
  installJwtAuth(app, () => o.builders, new RateLimiter(o.requestsPerSecond), o.onReject)
  return app
}
