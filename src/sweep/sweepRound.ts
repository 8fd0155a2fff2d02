import type { IntervalHistogram } from 'node:perf_hooks'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { Hex, SafetyLevel } from '../interop/index.js'
import type { BuilderNotifier, EvictedTx } from './builderNotifier.js'
import { consultCache } from './cachedRound.js'
import { classifyTx, codeName, SweepCode } from './classify.js'
import { type PlannedChunk, planRound, type SweepTx } from './planRound.js'
import type { SweepPool } from './pool.js'
import type { CheckBackend, ChunkResult } from './protocol.js'
import type { Prejudged } from './reorgWatch.js'
import { roundDescriptor } from './roundDescriptor.js'
import type { ChunkDispatch } from './routeChunk.js'
import type { SweepReport, TxVerdict } from './sweepReport.js'
import type { AcceptedTxs, SweepSource } from './sweepSource.js'
import type { VerdictCache } from './verdictCache.js'

export type RoundContext = {
  source: SweepSource
  pool: SweepPool
  backend: CheckBackend
  mode: CheckBackend['mode']
  chainId: bigint
  minSafety: SafetyLevel
  windowMs: number
  chunkSize: number
  /** Bound on a whole round; checks not done by then are kept (Timeout) for the next round. */
  roundTimeoutMs: number
  drop: boolean
  notifier?: BuilderNotifier | undefined
  /** With a txpool source in the ingress's process: evicted hashes leave the accepted set too. */
  acceptedSet?: AcceptedTxs | undefined
  loopDelay?: IntervalHistogram | undefined
  now?: () => number
  /** The source-chain watch (ReorgWatch: --evict-on-reorg, --verdict-ttl): verdicts decided before any check, and what a reorg reached. */
  prejudge?: (txs: readonly SweepTx[], deadline: number, signal: AbortSignal) => Promise<Prejudged>
  /** Verdicts of earlier rounds (--verdict-ttl). */
  cache?: VerdictCache | undefined
  /** --route: chunks go through the routes (RoutedDispatch) instead of straight to the pool. */
  dispatch?: ChunkDispatch | undefined
}

/** Longest stretch of the main thread's per-transaction loops between yields to the event loop. */
const SLICE_MS = 4

/** Extra time given to workers past the round deadline before their chunks count as timed out. */
const GRACE_MS = 250

/**
 * One sweep round: collect → drop expired → plan (split, de-duplicate, pack) while chunks already
 * run on the pool → classify every transaction → actions → report. The main thread only does
 * bookkeeping, in slices; the checks run on workers. Throws only if the source cannot be read.
 */
export async function sweepRound(ctx: RoundContext, n: number, signal?: AbortSignal): Promise<SweepReport> {
  const now = ctx.now ?? Date.now
  const t0 = performance.now()
  const startedAt = now()
  const deadline = startedAt + ctx.roundTimeoutMs
  ctx.loopDelay?.reset()
  ctx.loopDelay?.enable()
  try {
    return await runRound(ctx, n, signal, t0, startedAt, deadline)
  } finally {
    ctx.loopDelay?.disable()
  }
}

async function runRound(
  ctx: RoundContext,
  round: number,
  signal: AbortSignal | undefined,
  t0: number,
  startedAt: number,
  deadline: number,
): Promise<SweepReport> {
  const now = ctx.now ?? Date.now
  const roundSignal = roundSignalOf(ctx, signal)

  const collected = await ctx.source.collect(roundSignal)
  const t1 = performance.now()

  // Past the pre-verification window: evicted without a check (the ingress's 1-day rule).
  const all = collected.txs
  const verdicts: TxVerdict[] = new Array(all.length)
  const liveAt = new Uint32Array(all.length)
  const prejudged = ctx.prejudge ? await ctx.prejudge(all, deadline, roundSignal) : undefined
  const t1r = performance.now()
  let decided = 0
  let nLive = 0
  // In slices, and without growing an array of the live ones: at 1M transactions a forEach pushing
  // each onto `live` held the event loop for ~120 ms (and its GC), before planning even began.
  let slice = performance.now()
  for (let i = 0; i < all.length; i++) {
    if ((i & 4095) === 4095 && performance.now() - slice > SLICE_MS) {
      await yieldToLoop()
      roundSignal.throwIfAborted()
      slice = performance.now()
    }
    const tx = all[i]!
    const pre = prejudged?.verdicts[i]
    if (pre) {
      verdicts[i] = pre
      decided++
    } else if (startedAt - tx.firstSeen > ctx.windowMs)
      verdicts[i] = {
        hash: tx.hash,
        action: 'evict',
        code: SweepCode.Expired,
        reason: `first seen ${Math.round((startedAt - tx.firstSeen) / 1000)} s ago, beyond the pre-verification window`,
      }
    else liveAt[nLive++] = i
  }
  // Usually every transaction is live: then they are the collected list itself.
  const live: readonly SweepTx[] = nLive === all.length ? all : Array.from(liveAt.subarray(0, nLive), (i) => all[i]!)
  const expired = all.length - nLive - decided
  const tc = performance.now()
  const cached = ctx.cache
    ? await consultCache(ctx.cache, prejudged ?? {}, live, liveAt, verdicts, startedAt, roundSignal)
    : undefined
  const toCheck = cached ? cached.toCheck : live
  const toCheckAt = cached ? cached.toCheckAt : liveAt
  const tp = performance.now()

  const descriptor = roundDescriptor(startedAt, ctx.chainId, ctx.windowMs)
  const done: { chunk: PlannedChunk; result: ChunkResult }[] = []
  const running: Promise<void>[] = []
  const onChunk = (chunk: PlannedChunk) => {
    const count = chunk.count
    const task = {
      backend: ctx.backend,
      minSafety: ctx.minSafety,
      descriptor,
      accesses: chunk.accesses,
      count,
      deadline,
    }
    running.push(
      (ctx.dispatch ? ctx.dispatch(task, signal) : ctx.pool.check(task, signal)).then(
        (result) => {
          done.push({ chunk, result })
        },
        (err: unknown) => {
          done.push({ chunk, result: failed(count, SweepCode.Worker, (err as Error).message) })
        },
      ),
    )
  }
  const plan = await planRound(toCheck, { chunkSize: ctx.chunkSize, onChunk, signal })
  const tk = performance.now()
  await settleBy(Promise.all(running), deadline + GRACE_MS - now())

  const codes = new Int32Array(plan.unique).fill(SweepCode.Timeout)
  const messages = new Map<number, string>()
  for (const { chunk, result } of done) {
    codes.set(result.codes, chunk.base)
    for (const [i, m] of result.messages) messages.set(chunk.base + i, m)
  }
  const t2 = performance.now()

  slice = performance.now()
  for (let k = 0; k < toCheck.length; k++) {
    if ((k & 1023) === 1023 && performance.now() - slice > SLICE_MS) {
      await yieldToLoop()
      slice = performance.now()
    }
    const tx = toCheck[k]!
    const parseError = plan.parseErrors.get(k)
    if (parseError !== undefined) {
      verdicts[toCheckAt[k]!] = { hash: tx.hash, action: 'evict', code: SweepCode.Parse, reason: parseError }
      continue
    }
    const { action, at } = classifyTx(plan.refs, codes, plan.start[k]!, plan.start[k + 1]!)
    verdicts[toCheckAt[k]!] =
      at === -1
        ? { hash: tx.hash, action, code: SweepCode.Ok }
        : { hash: tx.hash, action, code: codes[at]!, reason: messages.get(at) ?? codeName(codes[at]!) }
  }

  await cached?.remember(verdicts, startedAt, ctx.windowMs)
  const counts = { valid: 0, evict: 0, keep: 0, expired, parseErrors: plan.parseErrors.size }
  const byCode: Record<string, number> = {}
  const evicted: EvictedTx[] = []
  for (const v of verdicts) {
    counts[v.action]++
    if (v.action === 'valid') continue
    const key = `${v.action}:${codeName(v.code)}`
    byCode[key] = (byCode[key] ?? 0) + 1
    if (v.action === 'evict') evicted.push({ hash: v.hash, code: v.code, reason: codeName(v.code) })
  }
  const t3 = performance.now()

  const actions = { dropped: 0, dropFailed: 0, dropUnsupported: false, notified: 0, notifyFailed: 0 }
  const hashes = evicted.map((e) => e.hash as Hex)
  await Promise.all([
    ctx.drop &&
      hashes.length > 0 &&
      ctx.source.drop(hashes, roundSignal).then(
        (d) => {
          actions.dropped = d.dropped
          actions.dropFailed = d.failed
          actions.dropUnsupported = d.unsupported
          if (ctx.acceptedSet && ctx.source.name !== 'accepted') return forgetAll(ctx.acceptedSet, hashes)
        },
        () => {
          actions.dropFailed = hashes.length
        },
      ),
    ctx.notifier?.notify(evicted, roundSignal).then((n) => {
      actions.notified = n.sent
      actions.notifyFailed = n.failed
    }),
  ])
  const t4 = performance.now()

  return {
    round,
    startedAt: new Date(startedAt).toISOString(),
    source: ctx.source.name,
    mode: ctx.mode,
    descriptor: {
      chainId: descriptor.chainId.toString(),
      timestamp: Number(descriptor.timestamp),
      timeout: Number(descriptor.timeout),
    },
    pool: { total: collected.total, interop: collected.txs.length, skipped: collected.skipped },
    accesses: { declared: plan.declared, unique: plan.unique, chunks: running.length },
    counts,
    byCode,
    durationsMs: {
      collect: ms(t1 - t0),
      read: ms(collected.read?.readMs ?? t1 - t0),
      parse: ms(collected.read?.parseMs ?? 0),
      reorg: ms(t1r - t1),
      cache: ms(tp - tc),
      plan: ms(tk - tp),
      check: ms(t2 - tp),
      classify: ms(t3 - t2),
      actions: ms(t4 - t3),
      total: ms(t4 - t0),
    },
    ...(collected.read ? { read: collected.read } : {}),
    ...(cached ? { cache: cached.stats } : {}),
    eventLoop: ctx.loopDelay
      ? { p99Ms: ms(ctx.loopDelay.percentile(99) / 1e6), maxMs: ms(ctx.loopDelay.max / 1e6) }
      : { p99Ms: 0, maxMs: 0 },
    actions,
    transactions: verdicts,
  }
}

function failed(count: number, code: number, message: string): ChunkResult {
  return { codes: new Int32Array(count).fill(code), messages: [[0, message]], ms: 0 }
}

/** Waits for `p`, but no longer than `ms`: a stuck worker must not stretch the round. */
async function settleBy(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    p,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, ms))
    }),
  ])
  clearTimeout(timer)
}

const ms = (x: number) => Math.round(x * 10) / 10

/** Keeps an accepted set in step with a drop; a shared store that is down logs and counts it itself. */
async function forgetAll(set: AcceptedTxs, hashes: readonly Hex[]): Promise<void> {
  try {
    await Promise.all(hashes.map((h) => set.delete(h)))
  } catch {}
}

/** A round's signal: the caller's (the sweep closing), bounded by --round-timeout. */
export function roundSignalOf(ctx: RoundContext, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ctx.roundTimeoutMs)
  return signal ? AbortSignal.any([signal, timeout]) : timeout
}
