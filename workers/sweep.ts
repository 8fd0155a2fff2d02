import { isMainThread } from 'node:worker_threads'
import { move, transferableSymbol, valueSymbol } from 'piscina'
import type { Backend } from '../src/check/backend.js'
import { checkAccesses } from '../src/check/checkAccesses.js'
import type { BlockRef, HeadLevel, LogReader } from '../src/check/types.js'
import { EXPIRY_WINDOW_S, type Hex, type SafetyLevel, timingViolation } from '../src/interop/index.js'
import { RemoteRpcError, type RpcCallResult, RpcClient } from '../src/rpc/client.js'
import { SweepCode } from '../src/sweep/classify.js'
import { lowerPriority } from '../src/sweep/lowerPriority.js'
import {
  ACCESS_BYTES,
  type BlockHashesResult,
  type BlockHashesTask,
  type CheckBackend,
  type ChunkResult,
  decodeAccess,
  MAX_MESSAGES,
  type SweepChunk,
  unpackEntries,
} from '../src/sweep/protocol.js'
import { toQuantity } from '../src/util/hex.js'

// The main thread (ingress, sequencer) comes first when cores are contended. (Tests import this
// file on their main thread too; that thread keeps its priority.)
if (!isMainThread) lowerPriority()

/**
 * Sweep worker: checks one chunk of de-duplicated accesses and answers one code per access
 * (0 = valid). Three modes:
 *  - supervisor: one JSON-RPC batch request per chunk of checkAccessList calls (see viaSupervisor);
 *  - index: the supervisor's own core check (checkAccesses) over the supervisor's SQLite file,
 *    opened read-only here, so the verdicts are the supervisor's without any network;
 *  - rpc: the same core check over the supervisor's eth_getLogs backend.
 * Module-scope state (clients, database handle, backends) lives as long as the worker.
 */
export default async function sweep(chunk: SweepChunk): Promise<unknown> {
  const started = performance.now()
  const out: Out = { codes: new Int32Array(chunk.count), messages: [] }
  const buf = Buffer.from(chunk.accesses)
  try {
    switch (chunk.backend.mode) {
      case 'supervisor':
        await viaSupervisor(chunk, chunk.backend, buf, out)
        break
      case 'index': {
        const reader = snapshotHeads(await openReader(chunk.backend.path))
        viaBackend(chunk, await indexBackend(reader), buf, out, provenValid(chunk, reader))
        break
      }
      case 'rpc':
        await viaBackendAsync(chunk, await rpcBackend(chunk.backend), buf, out)
        break
    }
  } catch (err) {
    // Setup failed (unreadable index, unreachable chain) before any access was checked: all are
    // kept for the next round, and the reason reaches the report.
    for (let i = 0; i < chunk.count; i++) set(out, i, SweepCode.Worker, (err as Error).message)
  }
  const result: ChunkResult = { codes: out.codes, messages: out.messages, ms: performance.now() - started }
  return move({ [transferableSymbol]: [out.codes.buffer], [valueSymbol]: result } as never)
}

type Out = { codes: Int32Array; messages: [number, string][] }

function set(out: Out, i: number, code: number, message: string): void {
  out.codes[i] = code
  if (out.messages.length < MAX_MESSAGES) out.messages.push([i, message])
}

const clients = new Map<string, RpcClient>()

/**
 * Supervisor mode. Accesses go `accessesPerCall` to a checkAccessList call (the supervisor answers
 * null only when every access of the call passes, so a passing call proves each of them), all the
 * calls of the chunk in one batch request. The accesses of a failed call are then asked one per
 * call, in a second batch, for their own codes. A mostly valid pool costs one batch per chunk with
 * a fraction of the calls (per-call work dominates a supervisor's cost of a cheap check); an
 * invalid access costs one extra call. Verdicts are exactly the per-access ones.
 */
async function viaSupervisor(
  chunk: SweepChunk,
  backend: Extract<CheckBackend, { mode: 'supervisor' }>,
  buf: Buffer,
  out: Out,
): Promise<void> {
  let client = clients.get(backend.url)
  if (!client) {
    // The client's own timeout is a backstop; the signal in askGroups decides, so a timeout is
    // told apart from other transport failures without reading error text.
    client = new RpcClient(backend.url, { timeoutMs: backend.timeoutMs + 1000 })
    clients.set(backend.url, client)
  }
  const d = chunk.descriptor
  const ctx = {
    chunk,
    backend,
    buf,
    out,
    client,
    descriptor: { chainID: d.chainId.toString(), timestamp: toQuantity(d.timestamp), timeout: toQuantity(d.timeout) },
  }
  const per = Math.max(1, backend.accessesPerCall)
  const groups: [number, number][] = []
  for (let i = 0; i < chunk.count; i += per) groups.push([i, Math.min(chunk.count, i + per)])
  const failed = await askGroups(ctx, groups)
  if (failed.length > 0)
    await askGroups(
      ctx,
      failed.flatMap(([a, b]) => Array.from({ length: b - a }, (_, k): [number, number] => [a + k, a + k + 1])),
    )
}

type SupervisorCtx = {
  chunk: SweepChunk
  backend: Extract<CheckBackend, { mode: 'supervisor' }>
  buf: Buffer
  out: Out
  client: RpcClient
  descriptor: Record<string, string>
}

/** One batch request, one call per group [from, to); returns the failed groups of more than one access. */
async function askGroups(c: SupervisorCtx, groups: [number, number][]): Promise<[number, number][]> {
  const left = Math.min(c.backend.timeoutMs, c.chunk.deadline - Date.now())
  const all = (code: number, message: string) => {
    for (const [a, b] of groups) for (let i = a; i < b; i++) set(c.out, i, code, message)
  }
  if (left <= 0) {
    all(SweepCode.Timeout, 'round deadline reached before the check')
    return []
  }
  const calls = groups.map(([a, b]) => {
    const entries: string[] = []
    for (let i = a; i < b; i++) entries.push(...unpackEntries(c.buf, i))
    return { method: c.backend.method, params: [entries, c.chunk.minSafety, c.descriptor] }
  })
  const signal = AbortSignal.timeout(left)
  let results: RpcCallResult[]
  try {
    results = await c.client.batch(calls, signal)
  } catch (err) {
    if (signal.aborted) all(SweepCode.Timeout, `supervisor batch timed out after ${left}ms`)
    else all(err instanceof RemoteRpcError ? err.rpcCode : SweepCode.Transport, (err as Error).message)
    return []
  }
  const failed: [number, number][] = []
  results.forEach((r, g) => {
    if (r.ok) return
    const [a, b] = groups[g]!
    if (b - a === 1) set(c.out, a, r.error.rpcCode, r.error.shortMessage)
    else failed.push([a, b])
  })
  return failed
}

function timeoutAll(chunk: SweepChunk, out: Out, from: number): void {
  for (let i = from; i < chunk.count; i++) set(out, i, SweepCode.Timeout, 'round deadline reached before the check')
}

const readers = new Map<string, LogReader>()

/**
 * The supervisor's index backend over a read-only handle opened once per worker (better-sqlite3's
 * threads guide: one connection per thread). SQLite is loaded only by workers that run index mode.
 * The backend is built per chunk: it is a few closures, and a fresh one sees chains the indexer
 * registered since.
 */
async function indexBackend(reader: LogReader): Promise<Backend> {
  const { createIndexBackend } = await import('../src/check/indexBackend.js')
  return createIndexBackend(reader, { status: () => [] })
}

/** The worker's read-only handle on the index file, opened on first use. */
async function openReader(path: string): Promise<LogReader> {
  let reader = readers.get(path)
  if (!reader) {
    const { openLogReader } = await import('../src/logindex/logReader.js')
    reader = openLogReader(path)
    readers.set(path, reader)
  }
  return reader
}

/** The index head a safety level is read from (as the index backend's HEAD_OF). */
const HEAD_OF: Record<Exclude<SafetyLevel, 'unsafe'>, HeadLevel> = {
  'cross-unsafe': 'cross-unsafe',
  'local-safe': 'safe',
  safe: 'safe',
  finalized: 'finalized',
}

type ChainView = { ready: boolean; unsafe: bigint | undefined; level: bigint | undefined }

/**
 * Index mode's fast path: true only when checkAccesses would answer this access valid, proven
 * with what the chunk's snapshot already holds (heads and readiness per chain, read once) and one
 * log look-up whose checksum is compared as bytes, never as hex. Anything else (a failure, a
 * chain-id extension, a storage error) answers false and the access goes through checkAccesses,
 * which gives the verdict and its exact message. Measured on the sweep bench's profile: the
 * general check's generator, per-look-up head memo keys and hex decoding were ~half of a
 * worker's time per access, the SQLite look-up the other half.
 */
function provenValid(chunk: SweepChunk, reader: LogReader): (buf: Buffer, i: number) => boolean {
  const d = chunk.descriptor
  const level = chunk.minSafety === 'unsafe' ? undefined : HEAD_OF[chunk.minSafety]
  const known = new Set(reader.chains())
  if (!known.has(d.chainId)) return () => false
  const views = new Map<bigint, ChainView | null>()
  const view = (chainId: bigint): ChainView | null => {
    let v = views.get(chainId)
    if (v === undefined) {
      v = known.has(chainId)
        ? {
            ready: reader.isReady(chainId),
            unsafe: reader.head(chainId, 'unsafe')?.number,
            level: level === undefined ? undefined : reader.head(chainId, level)?.number,
          }
        : null
      views.set(chainId, v)
    }
    return v
  }
  return (buf, i) => {
    try {
      const o = i * ACCESS_BYTES
      if (buf[o + 32] !== 0) return false // chain-id extension: the general path decodes it
      const timestamp = buf.readBigUInt64BE(o + 20)
      if (timingViolation(d.timestamp, d.timeout, timestamp, EXPIRY_WINDOW_S) !== undefined) return false
      const v = view(buf.readBigUInt64BE(o + 4))
      if (v === null || !v.ready || v.unsafe === undefined) return false
      const blockNumber = buf.readBigUInt64BE(o + 12)
      if (blockNumber > v.unsafe) return false
      if (level !== undefined && (v.level === undefined || blockNumber > v.level)) return false
      const log = reader.findLog(buf.readBigUInt64BE(o + 4), blockNumber, buf.readUInt32BE(o + 28))
      return (
        log !== undefined &&
        log.timestamp === timestamp &&
        log.checksum.length === 32 &&
        buf.compare(log.checksum, 0, 32, o + 64, o + 96) === 0
      )
    } catch {
      return false
    }
  }
}

/**
 * The reader with readiness and heads read once per chunk: a chunk's verdicts are then as of one
 * moment of the index, as a supervisor answering a batch at once, and three of the four SQLite
 * look-ups of a check (ready, head, cross-unsafe head, log) go away. Logs are always read.
 */
function snapshotHeads(reader: LogReader): LogReader {
  const ready = new Map<bigint, boolean>()
  const heads = new Map<string, BlockRef | undefined>()
  return {
    chains: () => reader.chains(),
    isReady(chainId) {
      let r = ready.get(chainId)
      if (r === undefined) ready.set(chainId, (r = reader.isReady(chainId)))
      return r
    },
    head(chainId, level) {
      const key = `${chainId}/${level}`
      if (!heads.has(key)) heads.set(key, reader.head(chainId, level))
      return heads.get(key)
    },
    block: (chainId, number) => reader.block(chainId, number),
    findLog: (chainId, blockNumber, logIndex) => reader.findLog(chainId, blockNumber, logIndex),
    snapshot: (fn) => reader.snapshot(fn),
  }
}

/**
 * The synchronous path: the index backend answers every look-up without a promise. Checks run in
 * slices of 256, each in one read snapshot (short enough never to hold back the writer's checkpoints).
 */
function viaBackend(
  chunk: SweepChunk,
  backend: Backend,
  buf: Buffer,
  out: Out,
  valid: (buf: Buffer, i: number) => boolean = () => false,
): void {
  const slice = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      if (valid(buf, i)) continue
      try {
        const r = checkAccesses(backend, [decodeAccess(buf, i)], chunk.minSafety, chunk.descriptor)
        if (r instanceof Promise) throw new Error('index backend answered asynchronously')
        if (!r.ok) set(out, i, r.error.rpcCode, r.error.message)
      } catch (err) {
        set(out, i, SweepCode.Worker, (err as Error).message)
      }
    }
  }
  for (let i = 0; i < chunk.count; i += 256) {
    if (Date.now() > chunk.deadline) {
      timeoutAll(chunk, out, i)
      return
    }
    backend.snapshot(() => slice(i, Math.min(chunk.count, i + 256)))
  }
}

const RPC_CONCURRENCY = 16

/** The RPC backend may wait on upstream calls: run up to RPC_CONCURRENCY checks at once. */
async function viaBackendAsync(chunk: SweepChunk, backend: Backend, buf: Buffer, out: Out): Promise<void> {
  let next = 0
  const lane = async () => {
    while (next < chunk.count) {
      const i = next++
      if (Date.now() > chunk.deadline) {
        set(out, i, SweepCode.Timeout, 'round deadline reached before the check')
        continue
      }
      try {
        const r = await checkAccesses(backend, [decodeAccess(buf, i)], chunk.minSafety, chunk.descriptor)
        if (!r.ok) set(out, i, r.error.rpcCode, r.error.message)
      } catch (err) {
        set(out, i, SweepCode.Worker, (err as Error).message)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(RPC_CONCURRENCY, chunk.count) }, lane))
}

const rpcBackends = new Map<string, Promise<Backend>>()

async function rpcBackend(cfg: Extract<CheckBackend, { mode: 'rpc' }>): Promise<Backend> {
  const key = cfg.chainRpcs.join(' ')
  let b = rpcBackends.get(key)
  if (!b) {
    b = (async () => {
      const [{ createRpcBackend }, { pino }] = await Promise.all([import('../src/check/rpcBackend.js'), import('pino')])
      const backend = await createRpcBackend({
        chains: cfg.chainRpcs.map((url) => ({ url })),
        pollMs: 1000,
        requestTimeoutMs: cfg.timeoutMs,
        logger: pino({ level: 'silent' }),
      })
      await backend.ready
      return backend
    })()
    // A failed start is retried on the next chunk rather than cached.
    b.catch(() => rpcBackends.delete(key))
    rpcBackends.set(key, b)
  }
  return b
}

/**
 * --evict-on-reorg: per source chain, the lowest remembered height whose hash changed or is gone,
 * through the same source the checks read (the supervisor's interop_getBlockHashByNumber, its
 * index file, or the chain's RPC). A reorg at F changes every height from F up, so the highest
 * remembered height tells whether anything changed (one look-up per chain in a quiet round) and a
 * bisection over the others finds the lowest changed one (log2 n more).
 */
export async function blockHashes(task: BlockHashesTask): Promise<BlockHashesResult> {
  const lookup = await hashLookup(task.backend)
  return Promise.all(
    task.chains.map(async ({ chainId, remembered, hashes, fresh }) => {
      try {
        const changed = async (i: number) => {
          if (Date.now() > task.deadline) throw new Error('round deadline reached before the reorg check')
          return (await lookup(chainId, remembered[i]!)) !== hashes[i]
        }
        let forkAt = -1
        const last = remembered.length - 1
        if (last >= 0 && (await changed(last))) {
          let lo = 0
          let hi = last
          while (lo < hi) {
            const mid = (lo + hi) >> 1
            if (await changed(mid)) hi = mid
            else lo = mid + 1
          }
          forkAt = lo
        }
        const found: (Hex | null)[] = []
        for (const n of fresh) {
          if (Date.now() > task.deadline) break
          found.push(await lookup(chainId, n))
        }
        return { forkAt, fresh: found }
      } catch (err) {
        return { forkAt: -1, fresh: [], error: (err as Error).message }
      }
    }),
  )
}

/** A block's hash, null when the source holds no such block (any more); throws when it cannot tell. */
async function hashLookup(backend: CheckBackend): Promise<(chainId: bigint, n: bigint) => Promise<Hex | null>> {
  switch (backend.mode) {
    case 'supervisor': {
      let client = clients.get(backend.url)
      if (!client) {
        client = new RpcClient(backend.url, { timeoutMs: backend.timeoutMs + 1000 })
        clients.set(backend.url, client)
      }
      const c = client
      // op-interop-filter's InteropFilterClient convention: chainID decimal, the number a quantity;
      // a block it does not hold answers an error whose text says "not found".
      return (chainId, n) =>
        c.call<Hex>('interop_getBlockHashByNumber', [chainId.toString(10), toQuantity(n)]).catch((err: unknown) => {
          if (err instanceof RemoteRpcError && /not found/i.test(err.message)) return null
          throw err
        })
    }
    case 'index': {
      const b = await indexBackend(snapshotHeads(await openReader(backend.path)))
      return async (chainId, n) => ((await b.blockHash(chainId, n)) as Hex | undefined) ?? null
    }
    case 'rpc': {
      // Straight from the chain: the check backend's block cache keeps a block while it is read,
      // and a replaced block below the head is only noticed when the cache expires.
      const byChain = await chainClients(backend)
      return async (chainId, n) => {
        const c = byChain.get(chainId)
        if (!c) throw new Error(`no --chain-rpc serves chain ${chainId}`)
        const block = await c.call<{ hash: Hex } | null>('eth_getBlockByNumber', [toQuantity(n), false])
        return block?.hash ?? null
      }
    }
  }
}

const chainClientMaps = new Map<string, Promise<Map<bigint, RpcClient>>>()

/** One client per --chain-rpc, keyed by its eth_chainId (asked once per worker). */
function chainClients(cfg: Extract<CheckBackend, { mode: 'rpc' }>): Promise<Map<bigint, RpcClient>> {
  const key = cfg.chainRpcs.join(' ')
  let m = chainClientMaps.get(key)
  if (!m) {
    m = (async () => {
      const clients = cfg.chainRpcs.map((url) => new RpcClient(url, { timeoutMs: cfg.timeoutMs }))
      try {
        const ids = await Promise.all(clients.map(async (c) => BigInt(await c.call<string>('eth_chainId'))))
        return new Map(ids.map((id, i) => [id, clients[i]!]))
      } catch (err) {
        for (const c of clients) c.close() // retried next round with new ones
        throw err
      }
    })()
    m.catch(() => chainClientMaps.delete(key))
    chainClientMaps.set(key, m)
  }
  return m
}
