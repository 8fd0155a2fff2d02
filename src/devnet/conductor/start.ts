import type { Logger } from 'pino'
import { Counter, Gauge } from 'prom-client'
import { createRegistry, createRpcServer, rpcCallObserver } from '../../rpc/index.js'
import { createLogger } from '../../util/logger.js'
import { Election, type LeaderChange } from './election.js'
import { conductorMethods } from './methods.js'
import { type ConductorInput, conductorConfig, parseNode } from './options.js'

export type ConductorStandin = {
  /** One URL per node, in --node order: what that node's sequencer gets as --conductor. */
  urls: Record<string, string>
  election: Election
  close(): Promise<void>
}

/**
 * The devnet's op-conductor stand-in for one chain: a listener per node speaking op-conductor's RPC
 * for that node, a /healthz prober moving leadership off a failing leader, and metrics (leader,
 * leader changes, probe failures) on every listener's /metrics. Not a consensus implementation.
 */
export async function startConductorStandin(
  values: ConductorInput,
  deps: { logger?: Logger } = {},
): Promise<ConductorStandin> {
  const config = conductorConfig(values)
  const log = (deps.logger ?? createLogger(config.logLevel)).child({ role: 'conductor-standin' })
  const nodes = config.node.map(parseNode)
  const registry = createRegistry()
  const leaderGauge = new Gauge({
    name: 'superguard_conductor_leader',
    help: '1 for the node that leads, 0 for the others',
    labelNames: ['node'] as const,
    registers: [registry],
  })
  const changes = new Counter({
    name: 'superguard_conductor_leader_changes_total',
    help: 'Leadership moves, by reason (unhealthy, transfer, removed)',
    labelNames: ['reason'] as const,
    registers: [registry],
  })
  const probeFailures = new Counter({
    name: 'superguard_conductor_health_failures_total',
    help: "Failed reads of a node's /healthz (503 or no answer), by node",
    labelNames: ['node'] as const,
    registers: [registry],
  })
  const setGauge = () => {
    for (const n of nodes) leaderGauge.set({ node: n.id }, election.isLeader(n.id) ? 1 : 0)
  }
  const election: Election = new Election(
    nodes.map((n) => ({ id: n.id, addr: `${n.host}:${n.port}` })),
    {
      ...(config.leader !== undefined ? { leader: config.leader } : {}),
      unhealthyAfter: config.unhealthyAfter,
      startGraceMs: config.startGrace,
      onChange: (c: LeaderChange) => {
        changes.inc({ reason: c.reason })
        setGauge()
        log.warn({ ...c, lastCommitted: election.lastCommitted?.number.toString() }, 'leadership moved')
      },
    },
  )
  setGauge()

  const observe = rpcCallObserver(registry)
  const apps = nodes.map((n) =>
    createRpcServer({
      methods: conductorMethods(n.id, election),
      logger: log,
      name: `conductor-${n.id}`,
      registry,
      observe,
      // conductor_commitUnsafePayload carries a whole block: 128 KiB (the default) refused every block of
      // ~400 transactions under the chaos scenarios' traffic, and the leader then published nothing.
      bodyLimit: 64 * 1024 * 1024,
      health: () => ({ status: 200, body: { leader: election.leader, paused: election.paused } }),
    }),
  )
  try {
    for (const [i, app] of apps.entries()) await app.listen({ host: nodes[i]!.host, port: nodes[i]!.port })
  } catch (err) {
    await Promise.all(apps.map((a) => a.close()))
    throw err
  }

  // Each node's /healthz in turn; an answer slower than the interval counts as a failure.
  const timeoutMs = Math.max(50, config.healthInterval)
  const down = new Map<string, boolean>()
  let closed = false
  const probeOne = async (n: (typeof nodes)[number]) => {
    let ok = false
    try {
      const res = await fetch(n.health, { signal: AbortSignal.timeout(timeoutMs) })
      // 206: the engine is fine, no builder is (blocks are local): still fit to lead.
      ok = res.status === 200 || res.status === 206
      await res.body?.cancel()
    } catch {
      ok = false
    }
    if (closed) return
    if (!ok) probeFailures.inc({ node: n.id })
    if (down.get(n.id) !== !ok) {
      if (down.has(n.id) || !ok) log[ok ? 'info' : 'warn']({ node: n.id }, ok ? 'node healthy' : 'node unhealthy')
      down.set(n.id, !ok)
    }
    election.probe(n.id, ok)
  }
  let running = Promise.resolve()
  const timer = setInterval(() => {
    running = Promise.all(nodes.map(probeOne)).then(() => undefined)
  }, config.healthInterval)
  log.info(
    { nodes: nodes.map((n) => `${n.id}=${n.host}:${n.port}`), leader: election.leader },
    'conductor stand-in listening',
  )
  return {
    urls: Object.fromEntries(nodes.map((n) => [n.id, `http://${n.host}:${n.port}`])),
    election,
    async close() {
      closed = true
      clearInterval(timer)
      await running
      await Promise.all(apps.map((a) => a.close()))
    },
  }
}
