import { EventEmitter } from 'node:events'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { RpcClient } from '../rpc/client.js'
import { parseEndpoint, parseListen } from '../rpc/endpoint.js'
import { readJwtSecret } from '../rpc/jwt.js'
import { listenerLimits } from '../rpc/limits.js'
import { createRegistry } from '../rpc/metrics.js'
import { FailureLog } from '../util/failureLog.js'
import { initKeccak } from '../util/keccak.js'
import { createLogger } from '../util/logger.js'
import { BlockAssembler } from './blockAssembler.js'
import { createBuilderRpcServer } from './builderRpcServer.js'
import { BuildLoop } from './buildLoop.js'
import { InteropChecker } from './interopCheck.js'
import { JobFollower } from './jobFollower.js'
import { BuilderMempool } from './mempool.js'
import { builderMetrics } from './metrics.js'
import { type BuilderInput, builderConfig } from './options.js'
import { ParentLookup } from './parentLookup.js'
import { SubmissionClient, type SubmittedEvent } from './submissionClient.js'
import { waitForSubmission } from './waitForSubmission.js'

export type { SubmittedEvent } from './submissionClient.js'

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
  const engine = new RpcClient(engineEp.url, {
    timeoutMs: 2000,
    ...(engineEp.jwtSecret ? { jwtSecret: engineEp.jwtSecret } : {}),
  })
  const sequencer = new RpcClient(config.sequencer, { timeoutMs: 2000, jwtSecret: secret })
  let chainId = config.chainId
  if (chainId === undefined) {
    try {
      chainId = Number(BigInt(await engine.call<string>('eth_chainId', [])))
    } catch {
      log.warn('engine unreachable at start: chain id unknown until configured')
    }
  }
  const mempool = new BuilderMempool(config.mempoolSize, chainId)
  const events = new EventEmitter()
  events.setMaxListeners(0)
  const registry = createRegistry()
  const { submitted, failures, missed } = builderMetrics(registry)
  const interop = config.checkInterop
    ? new InteropChecker(config.checkInterop, {
        timeoutMs: 500,
        log,
        failureLogIntervalMs: config.failureLogInterval,
        onFailure: () => failures.inc({ upstream: 'supervisor' }),
      })
    : undefined
  // One line per interval with the count of missed jobs (during an outage, one job per slot), and one when a job finds its parent again.
  const missedLog = new FailureLog(log, 'parent block not available before the deadline', config.failureLogInterval)

  const follower = new JobFollower(log)
  const offPool = mempool.onChange(() => follower.wake())
  const submissions = new SubmissionClient({ sequencer, submitMarginMs: config.submitMarginMs, submitted, events, log })
  const builds = new BuildLoop({
    follower,
    parents: new ParentLookup(engine, follower, log, () => failures.inc({ upstream: 'engine' })),
    assembler: new BlockAssembler(engine, log),
    mempool,
    submissions,
    interop,
    chainId,
    resubmitInterval: config.resubmitInterval,
    submitMarginMs: config.submitMarginMs,
    log,
    missed,
    missedLog,
  })
  const app = createBuilderRpcServer({
    secret,
    mempool,
    chainId,
    follower,
    engine,
    log,
    registry,
    limits: listenerLimits(config),
    maxResponseBytes: config.maxResponseBytes,
    onJob: (job) => {
      // A new job supersedes every older one: older builds see it and stop at their next step.
      const g = follower.start(job)
      events.emit('job', job)
      follower.track(builds.run(job, g))
    },
  })
  const { host, port } = parseListen(config.listen, '--listen')
  await app.listen({ host, port })
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${(app.server.address() as AddressInfo).port}`
  log.info(
    { url, sequencer: config.sequencer, engine: engineEp.url, interop: config.checkInterop ?? null },
    'builder listening',
  )

  return {
    url,
    mempool,
    events,
    interop,
    registry,
    waitForSubmission: (match, timeoutMs) => waitForSubmission(events, match, timeoutMs),
    async close() {
      follower.close()
      offPool()
      await app.close()
      await follower.settled()
      missedLog.close()
      engine.close()
      sequencer.close()
      interop?.close()
    },
  }
}
