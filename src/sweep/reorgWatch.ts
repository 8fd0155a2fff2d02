import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { Counter, type Registry } from 'prom-client'
import type { Hex } from '../interop/index.js'
import { FailureLog } from '../util/failureLog.js'
import type { Logger } from '../util/logger.js'
import { SweepCode } from './classify.js'
import type { SweepTx } from './planRound.js'
import type { SweepPool } from './pool.js'
import type { BlockHashesResult, BlockHashesTask, CheckBackend } from './protocol.js'
import type { TxVerdict } from './sweepReport.js'

/** Fresh heights read per chain and round: a first round over a huge pool spreads its reads over a few rounds. */
const MAX_FRESH_PER_CHAIN = 4096

export type ReorgWatchOptions = {
  pool: SweepPool
  backend: CheckBackend
  log: Logger
  registry: Registry
  /** --route: block hashes asked of each chain's own route (RoutedDispatch.blockHashes) instead of `backend`. */
  blockHashes?: ((task: BlockHashesTask, signal?: AbortSignal) => Promise<BlockHashesResult>) | undefined
  /** --evict-on-reorg: what a reorg reaches is evicted; otherwise only reported (the verdict cache drops it). */
  evict: boolean
}

/** What a round's watch saw, per transaction of the round (indexed like its list). */
export type Prejudged = {
  /** Verdicts of what a reorg evicts (--evict-on-reorg); undefined leaves a transaction to the checks. */
  verdicts: (TxVerdict | undefined)[]
  /** 1: a source block it reads changed hash this round. */
  reorged: Uint8Array
  /** 1: every source block it reads has a remembered hash now (a reorg under it will show next round). */
  watched: Uint8Array
}

/**
 * The sweep's one watch of its source chains (--evict-on-reorg, and the verdict cache of
 * --verdict-ttl): remembers the hash of every source block the pool's accesses reference and,
 * at the start of each round, asks the round's own source (supervisor, index file or chain RPC)
 * whether any changed. With --evict-on-reorg, a source chain that reorged from height F evicts every transaction with an
 * access on that chain at F or above, without a check, whatever the check would say (op-reth drops
 * every interop transaction on a reorg of its own chain: `txpool/src/maintain.rs`, "source-chain
 * reorgs are invisible here"). The sweep sees the source chains, so it evicts only what sits on
 * the reorged part. Memory: one entry per distinct referenced block, forgotten when no pooled
 * transaction references it any more.
 */
export class ReorgWatch {
  readonly #o: ReorgWatchOptions
  /** chain key (chainKey) → height → hash, as first read. */
  readonly #known = new Map<string, Map<number, Hex>>()
  readonly #failures: FailureLog
  readonly #reorgs: Counter<'chain_id'>
  readonly #evicted: Counter<'chain_id'>
  /** Each transaction's referenced blocks, parsed once for as long as the source hands out the same object. */
  readonly #refs = new WeakMap<SweepTx, [string, number][]>()

  constructor(opts: ReorgWatchOptions) {
    this.#o = opts
    this.#failures = new FailureLog(opts.log, 'source reorg check failed', 10_000)
    this.#reorgs = new Counter({
      name: 'superguard_sweep_source_reorgs_total',
      help: 'Source-chain reorgs seen under pooled accesses (--evict-on-reorg, --verdict-ttl), by chain',
      labelNames: ['chain_id'] as const,
      registers: [opts.registry],
    })
    this.#evicted = new Counter({
      name: 'superguard_sweep_reorg_evictions_total',
      help: 'Interop transactions evicted because a source chain reorged under one of their accesses',
      labelNames: ['chain_id'] as const,
      registers: [opts.registry],
    })
  }

  /** What the round's source reorgs reach (and with --evict-on-reorg, their eviction verdicts). Never throws. */
  async prejudge(txs: readonly SweepTx[], deadline: number, signal?: AbortSignal): Promise<Prejudged> {
    const out: Prejudged = {
      verdicts: new Array(txs.length),
      reorged: new Uint8Array(txs.length),
      watched: new Uint8Array(txs.length),
    }
    const { refs, referenced } = await blocksOf(txs, this.#refs)

    // Forget what nothing references any more, then ask about the rest.
    for (const [chain, known] of this.#known) {
      const now = referenced.get(chain)
      if (!now) this.#known.delete(chain)
      else for (const n of known.keys()) if (!now.has(n)) known.delete(n)
    }
    const chains = [...referenced].map(([chain, heights]) => {
      const known = this.#known.get(chain)
      const remembered = known ? [...known.keys()].sort((a, b) => a - b) : []
      const fresh = [...heights]
        .filter((n) => !known?.has(n))
        .sort((a, b) => a - b)
        .slice(0, MAX_FRESH_PER_CHAIN)
      return { chain, remembered, hashes: remembered.map((n) => known!.get(n)!), fresh }
    })
    if (chains.length === 0) {
      out.watched.fill(1) // nothing read from a source chain: nothing a reorg can reach
      return out
    }
    let result: Awaited<ReturnType<SweepPool['blockHashes']>>
    try {
      result = await (this.#o.blockHashes ?? ((t, sig) => this.#o.pool.blockHashes(t, sig)))(
        {
          backend: this.#o.backend,
          deadline,
          chains: chains.map((c) => ({
            chainId: chainIdOf(c.chain),
            remembered: c.remembered.map(BigInt),
            hashes: c.hashes,
            fresh: c.fresh.map(BigInt),
          })),
        },
        signal,
      )
    } catch (err) {
      this.#failures.failure(err)
      return out
    }

    const reorgedFrom = new Map<string, number>()
    let allAnswered = true
    result.forEach((r, i) => {
      const c = chains[i]!
      if (r.error !== undefined) {
        allAnswered = false
        this.#failures.failure(new Error(r.error), { chainId: chainIdOf(c.chain).toString() })
        return
      }
      const known = getOrAdd(this.#known, c.chain, () => new Map())
      if (r.forkAt >= 0) {
        const from = c.remembered[r.forkAt]!
        reorgedFrom.set(c.chain, from)
        for (const n of known.keys()) if (n >= from) known.delete(n)
      }
      r.fresh.forEach((hash, k) => {
        if (hash !== null) known.set(c.fresh[k]!, hash)
      })
    })
    if (allAnswered) this.#failures.success()

    const evicted = new Map<string, number>()
    let slice = performance.now()
    for (let i = 0; i < refs.length; i++) {
      if ((i & 1023) === 1023 && performance.now() - slice > 4) {
        await yieldToLoop()
        slice = performance.now()
      }
      const list = refs[i]!
      let watched = 1
      for (const [chain, n] of list) {
        if (watched === 1 && this.#known.get(chain)?.has(n) !== true) watched = 0
        const from = reorgedFrom.get(chain)
        if (from === undefined || n < from || out.reorged[i] === 1) continue
        out.reorged[i] = 1
        evicted.set(chain, (evicted.get(chain) ?? 0) + 1)
        if (this.#o.evict)
          out.verdicts[i] = {
            hash: txs[i]!.hash,
            action: 'evict',
            code: SweepCode.SourceReorged,
            reason: `source chain ${chainIdOf(chain)} reorged from block ${from}; this transaction reads block ${n}`,
          }
      }
      out.watched[i] = watched
    }
    for (const [chain, from] of reorgedFrom) {
      const count = evicted.get(chain) ?? 0
      const id = chainIdOf(chain).toString()
      this.#reorgs.inc({ chain_id: id })
      if (this.#o.evict) this.#evicted.inc({ chain_id: id }, count)
      this.#o.log.warn(
        { chainId: id, fromBlock: from, transactions: count },
        this.#o.evict
          ? 'source chain reorged: evicting every interop transaction with an access at or above the reorged height'
          : 'source chain reorged: re-checking every interop transaction with an access at or above the reorged height',
      )
    }
    return out
  }

  close(): void {
    this.#failures.close()
  }
}

/** A chain key (hex digits of the chain id, high extension bits first) as the chain id. */
function chainIdOf(key: string): bigint {
  return BigInt(`0x${key}`)
}

function getOrAdd<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k)
  if (v === undefined) m.set(k, (v = make()))
  return v
}

/**
 * Each transaction's referenced source blocks, [chain key, block number], read from its
 * lookup entries (0x01: chain id low 64 bits at bytes 4..12, block number at 12..20; an 0x02
 * extension after it carries the chain id's high bits). Malformed entries are skipped: the round's
 * own parse evicts those transactions. Also the set of heights referenced per chain. Runs in slices of 4 ms.
 */
async function blocksOf(
  txs: readonly SweepTx[],
  memo: WeakMap<SweepTx, [string, number][]>,
): Promise<{ refs: [string, number][][]; referenced: Map<string, Set<number>> }> {
  const out: [string, number][][] = new Array(txs.length)
  const referenced = new Map<string, Set<number>>()
  let slice = performance.now()
  for (let i = 0; i < txs.length; i++) {
    if ((i & 1023) === 1023 && performance.now() - slice > 4) {
      await yieldToLoop()
      slice = performance.now()
    }
    const known = memo.get(txs[i]!)
    if (known) {
      out[i] = known
      for (const [key, n] of known) getOrAdd(referenced, key, () => new Set()).add(n)
      continue
    }
    const list: [string, number][] = []
    const entries = txs[i]!.inboxEntries
    for (let k = 0; k < entries.length; k++) {
      const e = entries[k]!
      if (typeof e !== 'string' || e.length !== 66 || !e.startsWith('0x01')) continue
      // The chain as hex digits (no BigInt per entry: 100k of them cost ~100 ms a round).
      const ext = entries[k + 1]
      const key =
        typeof ext === 'string' && ext.length === 66 && ext.startsWith('0x02')
          ? ext.slice(18, 66) + e.slice(10, 26)
          : e.slice(10, 26)
      const n = Number.parseInt(e.slice(26, 42), 16)
      list.push([key, n])
      getOrAdd(referenced, key, () => new Set()).add(n)
    }
    out[i] = list
    memo.set(txs[i]!, list)
  }
  return { refs: out, referenced }
}
