/**
 * `--route CHAINID=URL`: which supervisors answer the checks of accesses initiated on a chain, for
 * a log index partitioned by source chain (docs/capacity.md). Shared by the ingress and the sweep:
 * the parsing, the table, and the split of a transaction's (or a chunk's) accesses by route.
 */

/** One configured route: a chain and one of its supervisors. */
export type RouteSpec = { chainId: bigint; url: string }

/**
 * The supervisors a set of chains goes to. Chains whose URL lists are identical share one route,
 * so that their accesses take one call, not one per chain. `default` is --supervisor: every chain
 * without a --route of its own.
 */
export type Route = {
  /** For logs and the `route` metric label: the chain ids, decimal, comma-separated; `default` for --supervisor. */
  readonly label: string
  readonly urls: readonly string[]
  readonly chains: readonly bigint[]
  readonly isDefault: boolean
}

/** Accesses of one route, by position in the caller's list. */
export type RoutedPart<T> = { route: Route; items: T[] }

/** What split() makes of a list: its parts per route, and the items whose chain has none. */
export type RouteSplit<T> = { parts: RoutedPart<T>[]; unrouted: { chainId: bigint; item: T }[] }

const SPEC = /^\s*(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})\s*=\s*(\S+)\s*$/

/** `CHAINID=URL` (decimal or 0x chain id, http(s) URL) or a one-line problem naming the bad value. */
export function parseRoute(text: string, flag = '--route'): RouteSpec | string {
  const m = SPEC.exec(text)
  if (!m) return `${flag} ${JSON.stringify(text)}: expected CHAINID=URL, e.g. 10=http://supervisor-a:8545`
  const chainId = BigInt(m[1]!)
  if (chainId === 0n || chainId >= 1n << 256n) return `${flag} ${JSON.stringify(text)}: chain id must be in 1..2^256-1`
  const url = m[2]!
  let ok = false
  try {
    ok = ['http:', 'https:'].includes(new URL(url).protocol)
  } catch {}
  if (!ok) return `${flag} ${JSON.stringify(text)}: expected an http(s) URL after "="`
  return { chainId, url }
}

/** Every `--route` value parsed, URLs per chain in the order given (duplicates are a problem: they would count twice in a quorum). */
export function parseRoutes(
  texts: readonly string[],
  flag = '--route',
): { routes: Map<bigint, string[]>; problems: string[] } {
  const routes = new Map<bigint, string[]>()
  const problems: string[] = []
  for (const text of texts) {
    const r = parseRoute(text, flag)
    if (typeof r === 'string') {
      problems.push(r)
      continue
    }
    const urls = routes.get(r.chainId) ?? []
    if (urls.includes(r.url)) problems.push(`${flag} ${JSON.stringify(text)}: given twice for chain ${r.chainId}`)
    else urls.push(r.url)
    routes.set(r.chainId, urls)
  }
  return { routes, problems }
}

/**
 * Chain id → route. Built once at start-up; `routeOf` is one map look-up per access. Without any
 * --route the table is `trivial` (everything goes to the default route) and callers keep their
 * one-route path, so an unpartitioned deployment pays nothing for routing.
 */
export class RouteTable {
  /** Every distinct route, the default (if any) last. */
  readonly routes: readonly Route[]
  readonly fallback: Route | undefined
  readonly #byChain = new Map<bigint, Route>()

  constructor(explicit: ReadonlyMap<bigint, readonly string[]>, fallback: readonly string[] | undefined) {
    const byUrls = new Map<string, { urls: readonly string[]; chains: bigint[] }>()
    const def = fallback && fallback.length > 0 ? fallback.join(' ') : undefined
    for (const [chainId, urls] of explicit) {
      const key = urls.join(' ')
      if (key === def) continue // the same supervisors as the default: one route, one call
      const g = byUrls.get(key) ?? { urls, chains: [] }
      g.chains.push(chainId)
      byUrls.set(key, g)
    }
    const routes: Route[] = [...byUrls.values()].map((g) => ({
      label: g.chains.map(String).join(','),
      urls: g.urls,
      chains: g.chains,
      isDefault: false,
    }))
    for (const r of routes) for (const c of r.chains) this.#byChain.set(c, r)
    this.fallback =
      fallback && fallback.length > 0 ? { label: 'default', urls: fallback, chains: [], isDefault: true } : undefined
    if (this.fallback) routes.push(this.fallback)
    this.routes = routes
  }

  /** From `--route` values and `--supervisor` URLs; throws a RangeError with every problem on one line. */
  static parse(texts: readonly string[], fallback: readonly string[] | undefined): RouteTable {
    const { routes, problems } = parseRoutes(texts)
    if (problems.length > 0) throw new RangeError(problems.join('; '))
    return new RouteTable(routes, fallback)
  }

  /** True when every chain goes to the default route. */
  get trivial(): boolean {
    return this.#byChain.size === 0
  }

  /** Every URL of every route, once, in order of first appearance. */
  get urls(): string[] {
    return [...new Set(this.routes.flatMap((r) => r.urls))]
  }

  routeOf(chainId: bigint): Route | undefined {
    return this.#byChain.get(chainId) ?? this.fallback
  }

  /**
   * Groups `items` by the route of their chain, keeping their order within each part (parts in
   * order of first appearance). Items of a chain without a route are set apart: the caller answers
   * -320501 unknown chain for the whole transaction (the ingress) or for those accesses (the sweep).
   */
  split<T>(items: readonly T[], chainOf: (item: T) => bigint): RouteSplit<T> {
    const parts: RoutedPart<T>[] = []
    const unrouted: { chainId: bigint; item: T }[] = []
    for (const item of items) {
      const chainId = chainOf(item)
      const route = this.routeOf(chainId)
      if (!route) {
        unrouted.push({ chainId, item })
        continue
      }
      let part: RoutedPart<T> | undefined
      for (const p of parts)
        if (p.route === route) {
          part = p
          break
        }
      if (part) part.items.push(item)
      else parts.push({ route, items: [item] })
    }
    return { parts, unrouted }
  }
}
