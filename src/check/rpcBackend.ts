import { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import { Counter, type Registry } from 'prom-client'
import { chainConfiguredTwice, StartupRefusal } from '../errors/startup.js'
import { EXPIRY_WINDOW_S, type ExecutingMessage } from '../interop/index.js'
import { BoundedMap } from '../util/boundedMap.js'
import { shortErrorText } from '../util/errorText.js'
import type { Backend, ChainHeads } from './backend.js'
import { type BlockData, sameMessage } from './blockData.js'
import { type MaybePromise, then } from './maybePromise.js'
import { RpcChain, rpcClient } from './rpcChain.js'
import type { BlockRef } from './types.js'

export type RpcTarget = { url: string; chainId?: bigint }

export type RpcBackendOptions = {
  chains: readonly RpcTarget[]
  pollMs: number
  logger: Logger
  registry?: Registry
  /** Blocks cached per chain. */
  cacheBlocks?: number
  /** Upstream requests in flight per chain. */
  concurrency?: number
  /** Upstream requests waiting per chain before new ones are refused. */
  maxQueue?: number
  requestTimeoutMs?: number
  /** How many hops of executing → initiating message a cross-unsafe check follows. */
  maxDepth?: number
}

/** Events: 'head' (chainId, BlockRef) on every polled head, 'reorg' (chainId, from, to) when a chain reorged. */
export type RpcBackend = Backend & {
  readonly kind: 'rpc'
  readonly events: EventEmitter
  readonly ready: Promise<void>
}

/** A definitive verdict on a block's own executing messages, or "cannot tell yet". */
type Verdict = 'valid' | 'invalid' | 'unknown'

/**
 * The seed's light mode: no index. Every check reads the referenced block (header + eth_getLogs)
 * from the source chain's RPC through a short cache (see RpcChain).
 *
 * cross-unsafe differs from the index backend by construction. The index keeps a head pointer:
 * a block is cross-unsafe when it and every block before it had only valid executing messages.
 * Here there is no history, so a block is cross-unsafe when its own executing messages are valid
 * and the blocks they reference are cross-unsafe in turn, followed to `maxDepth` hops (memoized
 * per block hash for pollMs; a cycle or the depth limit means "not yet", -321401). The answers
 * agree whenever earlier blocks hold no invalid executing message, which is every chain a
 * sequencer that filters its mempool produces.
 */
export async function createRpcBackend(opts: RpcBackendOptions): Promise<RpcBackend> {
  const { pollMs, logger } = opts
  const timeout = opts.requestTimeoutMs ?? 5000
  const maxDepth = opts.maxDepth ?? 8
  const events = new EventEmitter()
  const metrics = opts.registry ? upstreamMetrics(opts.registry) : undefined
  const verdicts = new BoundedMap<string, Verdict>(opts.cacheBlocks ?? 4096, { ttlMs: pollMs, refreshOnGet: true })

  const ids = await Promise.all(
    opts.chains.map(async (t) => {
      let remote: bigint
      try {
        remote = BigInt(await rpcClient(t.url, timeout).request({ method: 'eth_chainId' }))
      } catch (err) {
        throw new StartupRefusal(
          'endpoint-unreachable',
          t.url,
          `cannot read the chain id of ${t.url}: ${shortErrorText(err)}`,
          {
            cause: err,
          },
        )
      }
      if (t.chainId !== undefined && t.chainId !== remote)
        throw new StartupRefusal(
          'chain-id-mismatch',
          t.url,
          `${t.url} serves chain ${remote}, configured as ${t.chainId}`,
        )
      return remote
    }),
  )
  const chains = new Map<bigint, RpcChain>()
  opts.chains.forEach((t, i) => {
    const chainId = ids[i]!
    if (chains.has(chainId))
      throw chainConfiguredTwice(
        chainId,
        opts.chains.filter((_, j) => ids[j] === chainId).map((c) => c.url),
      )
    chains.set(
      chainId,
      new RpcChain(chainId, {
        url: t.url,
        pollMs,
        cacheBlocks: opts.cacheBlocks ?? 4096,
        concurrency: opts.concurrency ?? 8,
        maxQueue: opts.maxQueue ?? 1024,
        requestTimeoutMs: timeout,
        logger,
        onRequest:
          metrics &&
          ((c, method, ok) => metrics.requests.inc({ chain: String(c), method, result: ok ? 'ok' : 'error' })),
        onCache: metrics && ((hit) => metrics.cache.inc({ result: hit ? 'hit' : 'miss' })),
        onHead: (c, head) => events.emit('head', c, head),
        onReorg: (c, from, to) => {
          verdicts.clear() // a verdict on any chain may rest on a block of the reorged one
          events.emit('reorg', c, from, to)
        },
      }),
    )
  })
  const chainIds = [...chains.keys()]
  const ready = new Promise<void>((resolve) => {
    const check = () => {
      if (chainIds.every((c) => chains.get(c)!.head !== undefined)) {
        events.off('head', check)
        resolve()
      }
    }
    events.on('head', check)
  })
  for (const chain of chains.values()) chain.start()

  /** Whether block `n` of `chain` is cross-unsafe: its executing messages check out, transitively. */
  const crossUnsafe = (chain: RpcChain, n: bigint): MaybePromise<boolean> =>
    then(chain.block(n), (b) => (b ? then(blockVerdict(chain, b, maxDepth, new Set()), (v) => v === 'valid') : false))

  const blockVerdict = (chain: RpcChain, b: BlockData, depth: number, path: Set<string>): MaybePromise<Verdict> => {
    const key = `${chain.chainId}:${b.hash}`
    const memo = verdicts.get(key)
    if (memo !== undefined && memo !== 'unknown') return memo
    const execs = b.executingMessages()
    if (execs === 'invalid') return remember(key, 'invalid')
    if (execs.length === 0) return remember(key, 'valid')
    if (depth <= 0 || path.has(key)) return 'unknown'
    const inner = new Set(path).add(key)
    return (async () => {
      let verdict: Verdict = 'valid'
      for (const m of execs) {
        const v = await messageVerdict(m, b.timestamp, depth - 1, inner)
        if (v === 'invalid') return remember(key, 'invalid')
        if (v === 'unknown') verdict = 'unknown'
      }
      return verdict === 'valid' ? remember(key, 'valid') : 'unknown'
    })()
  }

  /**
   * One executing message of a block at `execTs`, with the index's cross-unsafe rules
   * (logindex/crossUnsafe.ts): the protocol's timing (not the stricter access-list one), the
   * initiating log's checksum, and the initiating block's own verdict, except for a message from
   * the same timestamp, which only has to exist (requiring more would deadlock on cycles).
   */
  const messageVerdict = async (
    m: ExecutingMessage,
    execTs: bigint,
    depth: number,
    path: Set<string>,
  ): Promise<Verdict> => {
    const id = m.identifier
    const src = chains.get(id.chainId)
    if (!src) return 'invalid'
    if (id.timestamp > execTs || execTs > id.timestamp + EXPIRY_WINDOW_S) return 'invalid'
    const head = await src.latest(id.blockNumber)
    if (head === undefined || id.blockNumber > head) return 'unknown'
    const b = await src.block(id.blockNumber)
    if (!b) return 'unknown'
    if (!sameMessage(b, m)) return 'invalid'
    if (id.timestamp === execTs) return 'valid'
    return blockVerdict(src, b, depth, path)
  }

  const remember = (key: string, v: Verdict): Verdict => {
    verdicts.set(key, v)
    return v
  }

  const chainOf = (chainId: bigint): RpcChain => {
    const c = chains.get(chainId)
    if (!c) throw new Error(`chain ${chainId} is not configured`)
    return c
  }

  return {
    kind: 'rpc',
    events,
    ready,
    chains: () => chainIds,
    hasChain: (chainId) => chains.has(chainId),
    isReady: (chainId) => chains.get(chainId)?.head !== undefined,
    latest: (chainId, wanted) => chainOf(chainId).latest(wanted),
    findLog(chainId, blockNumber, logIndex) {
      return then(chainOf(chainId).block(blockNumber), (b) => {
        if (!b) return 'no-block' as const
        const sum = b.checksum(logIndex)
        return sum ? { checksum: sum, timestamp: b.timestamp } : ('no-log' as const)
      })
    },
    reached(chainId, blockNumber, level) {
      const chain = chainOf(chainId)
      if (level === 'cross-unsafe') return crossUnsafe(chain, blockNumber)
      return then(
        chain.tag(level === 'finalized' ? 'finalized' : 'safe'),
        (t) => t !== undefined && blockNumber <= t.number,
      )
    },
    blockHash(chainId, at) {
      const chain = chainOf(chainId)
      if (at === 'latest') return chain.head?.hash
      // Past the head there is no block to fetch (an RPC may answer an error rather than null).
      return then(chain.latest(at), (head) =>
        head === undefined || at > head ? undefined : then(chain.block(at), (b) => b?.hash),
      )
    },
    async heads(chainId): Promise<ChainHeads> {
      const chain = chainOf(chainId)
      const [safe, finalized] = await Promise.all([chain.tag('safe'), chain.tag('finalized')])
      const unsafe: BlockRef | undefined = chain.head
      // No head pointer here: report the head when it is cross-unsafe itself, else the safe block.
      const crossUnsafeHead = unsafe && (await crossUnsafe(chain, unsafe.number)) ? unsafe : safe
      return { unsafe, crossUnsafe: crossUnsafeHead, safe, finalized }
    },
    snapshot: (fn) => fn(),
    status: () => chainIds.map((c) => chains.get(c)!.status()),
    async close() {
      for (const c of chains.values()) c.close()
    },
  }
}

function upstreamMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: 'superguard_supervisor_upstream_requests_total',
      help: 'Requests the rpc backend made to source chains, by chain, method and result',
      labelNames: ['chain', 'method', 'result'] as const,
      registers: [registry],
    }),
    cache: new Counter({
      name: 'superguard_supervisor_block_cache_total',
      help: 'Block cache look-ups of the rpc backend by result',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
  }
}
