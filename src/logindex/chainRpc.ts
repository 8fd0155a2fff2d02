import { createPublicClient, http, type PublicClient, type RpcBlock, type RpcLog } from 'viem'
import type { BlockRef } from '../check/types.js'
import type { Hex } from '../interop/index.js'
import { boundedFetch } from '../util/boundedFetch.js'
import { toQuantity } from '../util/hex.js'
import { MissingBlockError } from './errors.js'

/** A header as the index needs it; logsBloom lets a range check that eth_getLogs returned every block's logs. */
export type Header = BlockRef & { logsBloom: Hex | undefined }

/** The fields of an eth_getLogs entry the index reads. */
export type RawLog = Pick<RpcLog, 'address' | 'topics' | 'data' | 'blockNumber' | 'blockHash' | 'logIndex'>

/**
 * Largest response body accepted by default: a larger eth_getLogs range fails and shrinks, as does
 * one whose body takes longer than the request timeout (20 s, body included).
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024

export type ChainRpcOptions = {
  /** JSON-RPC requests per HTTP batch; 1 disables batching for endpoints that refuse it. */
  batchSize?: number
  timeoutMs?: number
  /** Aborts every request in flight (shutdown). */
  signal?: AbortSignal
  /**
   * Largest response body read (default 256 MiB): a larger Content-Length is refused before a byte
   * of the body is read, a chunked body once it passes the bound (viem's ResponseBodyTooLargeError).
   */
  maxResponseBytes?: number
}

/**
 * The chain access of the indexer, over viem's HTTP transport with JSON-RPC batching (header
 * fetches issued together go out as one request per `batchSize`). Raw `request` calls avoid
 * viem's formatters on the hot path. No retries here: the ingester owns backoff and range sizing.
 */
export class ChainRpc {
  readonly url: string
  #client: PublicClient
  readonly #single: PublicClient | undefined

  constructor(
    url: string,
    {
      batchSize = 100,
      timeoutMs = 20_000,
      signal,
      maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
    }: ChainRpcOptions = {},
  ) {
    this.url = url
    const client = (batch: false | { batchSize: number; wait: number }) =>
      createPublicClient({
        transport: http(url, {
          batch,
          retryCount: 0,
          timeout: timeoutMs,
          maxResponseBodySize: false,
          fetchFn: boundedFetch(maxResponseBytes, timeoutMs, signal),
        }),
      })
    this.#client = client(batchSize > 1 ? { batchSize, wait: 0 } : false)
    this.#single = batchSize > 1 ? client(false) : undefined
  }

  /** True once the endpoint refused a batch and calls went single. */
  get batchRefused(): boolean {
    return this.#single !== undefined && this.#client === this.#single
  }

  /**
   * Reads the chain id, checking on the way that the endpoint takes JSON-RPC batches: when a
   * batch fails but a single request works, batching is switched off for this endpoint.
   */
  async chainId(): Promise<bigint> {
    if (this.#single && this.#client !== this.#single) {
      try {
        const [id] = await Promise.all([
          this.#client.request({ method: 'eth_chainId' }),
          this.#client.request({ method: 'eth_blockNumber' }),
        ])
        return BigInt(id)
      } catch (err) {
        const id = await this.#single.request({ method: 'eth_chainId' }).catch(() => undefined)
        if (id === undefined) throw err
        this.#client = this.#single
        return BigInt(id)
      }
    }
    return BigInt(await this.#client.request({ method: 'eth_chainId' }))
  }

  /** The header at a number or tag; undefined when the chain has no such block (or the tag is unsupported). */
  async header(block: bigint | 'latest' | 'safe' | 'finalized'): Promise<Header | undefined> {
    const tag = typeof block === 'bigint' ? toQuantity(block) : block
    const raw = await this.#client.request({ method: 'eth_getBlockByNumber', params: [tag, false] })
    return raw ? toHeader(raw) : undefined
  }

  /** Headers from..to inclusive, in order; throws MissingBlockError when the chain does not have one of them. */
  async headers(from: bigint, to: bigint): Promise<Header[]> {
    const calls: Promise<Header | undefined>[] = []
    for (let n = from; n <= to; n++) calls.push(this.header(n))
    const out = await Promise.all(calls)
    return out.map((h, i) => h ?? missing(from + BigInt(i)))
  }

  /** Every log of blocks from..to (no address or topic filter: the index holds all logs). */
  async logs(from: bigint, to: bigint): Promise<RawLog[]> {
    return this.#client.request({
      method: 'eth_getLogs',
      params: [{ fromBlock: toQuantity(from), toBlock: toQuantity(to) }],
    })
  }
}

function missing(n: bigint): never {
  throw new MissingBlockError(n)
}

function toHeader(raw: RpcBlock): Header {
  if (raw.number === null || raw.hash === null)
    throw new TypeError('pending block returned where a sealed one was asked for')
  return {
    number: BigInt(raw.number),
    hash: raw.hash.toLowerCase() as Hex,
    parentHash: raw.parentHash.toLowerCase() as Hex,
    timestamp: BigInt(raw.timestamp),
    logsBloom: raw.logsBloom ?? undefined,
  }
}
