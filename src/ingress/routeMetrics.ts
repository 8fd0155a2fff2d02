import { Counter, Gauge, type Registry } from 'prom-client'
import type { RouteTable } from '../check/index.js'
import type { DependencyHealth } from './dependencyHealth.js'
import type { RouteObserver } from './strategies/routed.js'
import type { SupervisorEndpoint } from './strategies/supervisorEndpoint.js'

/**
 * superguard_ingress_route_checks_total{route, result}: one per route part of an interop
 * transaction (route = its chain ids, `default` for --supervisor, `none` for a chain without a
 * route). A route whose parts turn `errored` is a partition without a verdict: what to alert on.
 * Registered only with --route (undefined otherwise: nothing is split).
 */
export function routeObserver(routes: RouteTable, registry: Registry): RouteObserver | undefined {
  if (routes.trivial) return undefined
  const counter = new Counter({
    name: 'superguard_ingress_route_checks_total',
    help: 'Route parts of interop transactions by route (source chain ids; default = --supervisor; none = no route) and result (passed|filtered|failsafe|errored)',
    labelNames: ['route', 'result'] as const,
    registers: [registry],
  })
  // bound children: label hashing per part shows in the hot path's profile
  const bound = new Map<string, Counter.Internal>()
  return (route, result) => {
    const key = `${route}\n${result}`
    let c = bound.get(key)
    if (!c) bound.set(key, (c = counter.labels(route, result)))
    c.inc()
  }
}

/**
 * superguard_ingress_route_up{route}: 1 while at least one supervisor of the route answered its
 * last /healthz probe (a route at 0 refuses every transaction with an access on its chains:
 * -32000 / HTTP 500), and the same per route for /healthz's body. Only with --route.
 */
export function routeUpGauge(
  routes: RouteTable,
  endpoints: readonly SupervisorEndpoint[],
  health: DependencyHealth,
  registry: Registry,
): (() => { route: string; supervisors: string[]; up: boolean }[]) | undefined {
  if (routes.trivial) return undefined
  const urls = routes.urls
  const labelOf = new Map(urls.map((u, i) => [u, endpoints[i]!.label]))
  const view = () =>
    routes.routes.map((r) => {
      const supervisors = r.urls.map((u) => labelOf.get(u)!)
      // not probed yet counts as up, as DependencyHealth counts it
      return { route: r.label, supervisors, up: supervisors.some((l) => health.supervisorUp(l) !== false) }
    })
  new Gauge({
    name: 'superguard_ingress_route_up',
    help: '1 while at least one supervisor of the route (source chain ids; default = --supervisor) answered its last probe, 0 when none did',
    labelNames: ['route'] as const,
    registers: [registry],
    collect() {
      for (const r of view()) this.set({ route: r.route }, r.up ? 1 : 0)
    },
  })
  return view
}
