import type { FastifyInstance } from 'fastify'
import { createIndexBackend } from '../../src/check/index.js'
import { type Access, encodeAccessList } from '../../src/interop/index.js'
import { createRegistry, createRpcServer, rpcCallObserver } from '../../src/rpc/index.js'
import { createHealth } from '../../src/supervisor/health.js'
import { Failsafe, SUPERVISOR_METHOD_COSTS, supervisorMethods } from '../../src/supervisor/index.js'
import { supervisorMetrics } from '../../src/supervisor/metrics.js'
import { toQuantity } from '../../src/util/hex.js'
import { createLogger } from '../../src/util/logger.js'
import type { SeededIndex } from './seedIndex.js'

/**
 * The supervisor's JSON-RPC server over a seeded index, wired as startSupervisor wires it
 * (index backend, every method and its batch costs, supervisor and JSON-RPC metrics on a registry
 * with process metrics, /healthz), in this thread, on 127.0.0.1 and a free port. Only the indexer's chain
 * polling is missing: the index does not move during a benchmark.
 */
export async function startIndexSupervisor(
  index: SeededIndex,
  opts: { methodCosts?: boolean } = {},
): Promise<{ app: FastifyInstance; url: string; checksByCode(): Promise<Map<number, number>> }> {
  const logger = createLogger('silent')
  const registry = createRegistry()
  const metrics = supervisorMetrics(registry)
  const failsafe = new Failsafe(false, metrics.failsafe)
  const backend = createIndexBackend(index.reader, { status: () => index.status() })
  const app = createRpcServer({
    methods: supervisorMethods({ backend, failsafe, logger, metrics }),
    logger,
    registry,
    observe: rpcCallObserver(registry),
    health: createHealth(1_000, () => backend.status()),
    batchScope: (run) => backend.snapshot(run),
    // As startSupervisor; `methodCosts: false` gives the server as it was before batch costs.
    ...(opts.methodCosts === false ? {} : { methodCosts: SUPERVISOR_METHOD_COSTS }),
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  /** Checks answered so far by result code (0 = valid), from the supervisor's own counter. */
  const checksByCode = async () => {
    const out = new Map<number, number>()
    const metric = registry.getSingleMetric('superguard_supervisor_checks_total')
    for (const v of metric ? (await metric.get()).values : [])
      out.set(Number(v.labels.code), (out.get(Number(v.labels.code)) ?? 0) + v.value)
    return out
  }
  return { app, url, checksByCode }
}

/** 1 day: the timeout op-geth's transaction pre-verifier asks for (reference/interop.md, op-geth ingress filter). */
const PREVERIFIER_TIMEOUT = 86_400n

/**
 * A `supervisor_checkAccessList` request as op-geth sends one: the inbox entries of `accesses`,
 * minSafety cross-unsafe, executing on `executingChain` at `timestamp` with a 1-day timeout
 * (chainID as a decimal string, quantities hex).
 */
export function checkAccessListCall(
  id: number,
  accesses: readonly Access[],
  executingChain: bigint,
  timestamp: bigint,
) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'supervisor_checkAccessList',
    params: [
      encodeAccessList(accesses),
      'cross-unsafe',
      {
        chainID: executingChain.toString(),
        timestamp: toQuantity(timestamp),
        timeout: toQuantity(PREVERIFIER_TIMEOUT),
      },
    ],
  }
}

/** Posts `body` and returns the parsed JSON answer (checks before measuring). */
export async function post(url: string, body: string): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  return res.json()
}

/** Throws unless `answer` is a JSON-RPC success with result null (the check said valid). */
export function assertValid(answer: unknown, what: string): void {
  const a = answer as { result?: unknown; error?: unknown }
  if (a === null || typeof a !== 'object' || a.result !== null || 'error' in a)
    throw new Error(`${what}: expected result null, got ${JSON.stringify(answer).slice(0, 300)}`)
}
