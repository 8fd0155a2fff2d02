import { Counter, type Registry } from 'prom-client'
import type { Route, RouteTable } from '../check/index.js'
import { RpcCode } from '../errors/index.js'
import { SweepCode } from './classify.js'
import type { SweepPool } from './pool.js'
import {
  ACCESS_BYTES,
  type BlockHashesResult,
  type BlockHashesTask,
  type CheckBackend,
  type ChunkResult,
  decodeAccess,
  MAX_MESSAGES,
  type SweepChunk,
} from './protocol.js'

/** How a round hands a chunk to the workers: the pool directly, or through the routes (--route). */
export type ChunkDispatch = (chunk: SweepChunk, signal?: AbortSignal) => Promise<ChunkResult>

type SupervisorBackend = Extract<CheckBackend, { mode: 'supervisor' }>

/** The source chain of packed access `i`: the lookup's 8-byte chain id, widened by its extension if any. */
function chainIdAt(buf: Buffer, i: number): bigint {
  const o = i * ACCESS_BYTES
  return buf[o + 32] === 0 ? buf.readBigUInt64BE(o + 4) : decodeAccess(buf, i).chainId
}

// No answer from this supervisor: the next of the route's redundancy set is asked (a timeout is
// not retried: it means the round's deadline, which the next supervisor would miss too).
const RETRY: ReadonlySet<number> = new Set([SweepCode.Transport, SweepCode.Worker])

/**
 * Supervisor mode over a partitioned index (--route): the round's chunks are planned as before
 * (de-duplicated across every chain), and each chunk is split here by the route of its accesses'
 * source chains; each part is one worker task, one JSON-RPC batch, to the first supervisor of its
 * route, and the accesses that got no answer go to the next one (the sweep's redundancy set is a
 * failover list: a sweep needs one answer per access, never a quorum). Codes come back per access,
 * so a transaction's verdict is assembled as without routes. An access on a chain without a route
 * is -320501 unknown chain, which keeps the transaction (classify.ts: not proof of invalidity).
 */
export class RoutedDispatch {
  readonly #pool: SweepPool
  readonly #table: RouteTable
  readonly #backend: (url: string) => SupervisorBackend
  readonly #checks: Counter<'route' | 'result'>

  constructor(pool: SweepPool, table: RouteTable, backend: (url: string) => SupervisorBackend, registry: Registry) {
    this.#pool = pool
    this.#table = table
    this.#backend = backend
    this.#checks = new Counter({
      name: 'superguard_sweep_route_checks_total',
      help: 'Accesses checked per route (source chain ids; default = --supervisor; none = no route) by result: valid, invalid (a supervisor code), unanswered (transport, timeout, worker), unrouted',
      labelNames: ['route', 'result'] as const,
      registers: [registry],
    })
  }

  readonly dispatch: ChunkDispatch = async (chunk, signal) => {
    const started = performance.now()
    const buf = Buffer.from(chunk.accesses)
    const positions = Array.from({ length: chunk.count }, (_, i) => i)
    const { parts, unrouted } = this.#table.split(positions, (i) => chainIdAt(buf, i))
    const out: ChunkResult = { codes: new Int32Array(chunk.count), messages: [], ms: 0 }
    for (const u of unrouted)
      note(out, u.item, RpcCode.UnknownChain, `unknown chain: no --route for initiating chain ${u.chainId}`)
    if (unrouted.length > 0) this.#checks.inc({ route: 'none', result: 'unrouted' }, unrouted.length)
    await Promise.all(parts.map((p) => this.#checkPart(chunk, buf, p.route, p.items, out, signal)))
    out.ms = performance.now() - started
    return out
  }

  async #checkPart(
    chunk: SweepChunk,
    buf: Buffer,
    route: Route,
    items: number[],
    out: ChunkResult,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    let left = items
    for (let k = 0; k < route.urls.length && left.length > 0; k++) {
      const accesses = new ArrayBuffer(left.length * ACCESS_BYTES)
      const part = Buffer.from(accesses)
      left.forEach((p, j) => {
        buf.copy(part, j * ACCESS_BYTES, p * ACCESS_BYTES, (p + 1) * ACCESS_BYTES)
      })
      let result: ChunkResult
      try {
        result = await this.#pool.check(
          { ...chunk, backend: this.#backend(route.urls[k]!), accesses, count: left.length },
          signal,
        )
      } catch (err) {
        result = { codes: new Int32Array(left.length).fill(SweepCode.Worker), messages: [[0, String(err)]], ms: 0 }
      }
      const said = new Map(result.messages)
      const retry: number[] = []
      const last = k === route.urls.length - 1
      left.forEach((p, j) => {
        const code = result.codes[j]!
        if (!last && RETRY.has(code)) retry.push(p)
        else note(out, p, code, said.get(j))
      })
      left = retry
    }
    let valid = 0
    let invalid = 0
    let unanswered = 0
    for (const p of items) {
      const code = out.codes[p]!
      if (code === SweepCode.Ok) valid++
      else if (code === SweepCode.Transport || code === SweepCode.Timeout || code === SweepCode.Worker) unanswered++
      else invalid++
    }
    if (valid) this.#checks.inc({ route: route.label, result: 'valid' }, valid)
    if (invalid) this.#checks.inc({ route: route.label, result: 'invalid' }, invalid)
    if (unanswered) this.#checks.inc({ route: route.label, result: 'unanswered' }, unanswered)
  }

  /**
   * --evict-on-reorg over the routes: the chains of a block-hash task are asked of their own
   * route's first supervisor (one task per route, at once); a chain without a route answers an error.
   */
  async blockHashes(task: BlockHashesTask, signal?: AbortSignal): Promise<BlockHashesResult> {
    const positions = task.chains.map((_, i) => i)
    const { parts, unrouted } = this.#table.split(positions, (i) => task.chains[i]!.chainId)
    const out: BlockHashesResult = new Array(task.chains.length)
    for (const u of unrouted)
      out[u.item] = { forkAt: -1, fresh: [], error: `unknown chain: no --route for chain ${u.chainId}` }
    await Promise.all(
      parts.map(async (p) => {
        const chains = p.items.map((i) => task.chains[i]!)
        let r: BlockHashesResult
        try {
          r = await this.#pool.blockHashes({ ...task, backend: this.#backend(p.route.urls[0]!), chains }, signal)
        } catch (err) {
          r = chains.map(() => ({ forkAt: -1, fresh: [], error: (err as Error).message }))
        }
        p.items.forEach((i, j) => {
          out[i] = r[j]!
        })
      }),
    )
    return out
  }
}

function note(out: ChunkResult, position: number, code: number, message: string | undefined): void {
  out.codes[position] = code
  if (code !== SweepCode.Ok && message !== undefined && out.messages.length < MAX_MESSAGES)
    out.messages.push([position, message])
}
