import type { Logger } from 'pino'
import type { Route, RouteTable } from '../../check/index.js'
import { UnknownChainError } from '../../errors/index.js'
import { type Access, encodeAccessList, type Hex, parseAccessList } from '../../interop/index.js'
import { NoVerdictError } from '../errors.js'
import { createStrategy } from './createStrategy.js'
import type { ExecutingDescriptor, StrategyName, ValidationStrategy, Verdict } from './strategy.js'
import type { SupervisorEndpoint } from './supervisorEndpoint.js'

/** Called once per route part of a transaction: `result` is passed, or the part's verdict label. */
export type RouteObserver = (route: string, result: 'passed' | Exclude<Verdict, { ok: true }>['result']) => void

/**
 * The strategy over a partitioned index (`--route CHAINID=URL`): a transaction's accesses are
 * grouped by the route of their source chain, each group is re-encoded and checked with the same
 * executing descriptor through the strategy over that route's supervisors, all groups at once.
 * The transaction is valid only if every group is (mergeVerdicts). An access to a chain with no
 * route and no --supervisor is -320501 unknown chain, answered here without asking anyone.
 */
export class RoutedStrategy implements ValidationStrategy {
  readonly name: StrategyName
  readonly #table: RouteTable
  readonly #byRoute: ReadonlyMap<Route, ValidationStrategy>
  readonly #observe: RouteObserver | undefined

  constructor(
    table: RouteTable,
    byRoute: ReadonlyMap<Route, ValidationStrategy>,
    name: StrategyName,
    observe?: RouteObserver,
  ) {
    this.#table = table
    this.#byRoute = byRoute
    this.name = name
    this.#observe = observe
  }

  validate(entries: readonly Hex[], descriptor: ExecutingDescriptor): Promise<Verdict> {
    // The ingress's cheap checks have parsed these entries already: this cannot throw.
    const accesses = parseAccessList(entries)
    const { parts, unrouted } = this.#table.split(accesses, chainOf)
    if (unrouted.length > 0) {
      this.#observe?.('none', 'filtered')
      const chains = [...new Set(unrouted.map((u) => u.chainId))].join(', ')
      return Promise.resolve({
        ok: false,
        result: 'filtered',
        error: new UnknownChainError(`no --route for initiating chain ${chains} and no --supervisor`),
      })
    }
    // One route (the common case: every access on one chain): the entries as they came.
    if (parts.length <= 1) {
      const route = parts[0]?.route ?? this.#table.routes[0]!
      return this.#ask(route, entries, descriptor)
    }
    return mergeVerdicts(parts.map((p) => this.#ask(p.route, encodeAccessList(p.items), descriptor)))
  }

  async #ask(route: Route, entries: readonly Hex[], descriptor: ExecutingDescriptor): Promise<Verdict> {
    const v = await this.#byRoute.get(route)!.validate(entries, descriptor)
    this.#observe?.(route.label, v.ok ? 'passed' : v.result)
    return v
  }
}

const chainOf = (a: Access) => a.chainId

/**
 * One verdict from the verdicts of a transaction's route parts: the first definitive rejection or
 * failsafe decides at once (its code and HTTP status, as from a single route); a part without a
 * verdict (errored: quorum not reached, route down, supervisor behind) waits for the others, since
 * a definitive rejection elsewhere says more, and then fails the transaction closed with its own
 * error. Valid only when every part is.
 */
export function mergeVerdicts(parts: readonly Promise<Verdict>[]): Promise<Verdict> {
  return new Promise<Verdict>((resolve) => {
    let pending = parts.length
    let errored: Verdict | undefined
    const settle = (v: Verdict) => {
      if (!v.ok) {
        if (v.result !== 'errored') return resolve(v)
        errored ??= v
      }
      if (--pending === 0) resolve(errored ?? { ok: true })
    }
    if (pending === 0) resolve({ ok: true })
    for (const p of parts)
      p.then(settle, (err: unknown) =>
        settle({ ok: false, result: 'errored', error: new NoVerdictError(`route check failed: ${String(err)}`) }),
      )
  })
}

export type RoutingOptions = {
  minResponses?: number | undefined
  log?: Logger
  observe?: RouteObserver
}

/**
 * The strategy named by --strategy over every route: the plain one when nothing is routed (no
 * split, no re-encoding: an unpartitioned ingress pays nothing), else one strategy per route over
 * that route's endpoints (shared across routes by URL, so a supervisor still gets one batch per
 * event-loop turn), with --min-responses applied to each route's redundancy set.
 */
export function createRoutedStrategy(
  name: StrategyName,
  table: RouteTable,
  endpoints: ReadonlyMap<string, SupervisorEndpoint>,
  opts: RoutingOptions = {},
): ValidationStrategy {
  const over = (route: Route) => {
    const es = route.urls.map((u) => endpoints.get(u)!)
    return createStrategy(name, es, {
      minResponses: opts.minResponses,
      ...(opts.log ? { log: opts.log.child({ route: route.label }) } : {}),
    })
  }
  if (table.trivial && table.fallback) return over(table.fallback)
  return new RoutedStrategy(table, new Map(table.routes.map((r) => [r, over(r)])), name, opts.observe)
}
