import { EXPIRY_WINDOW_S, type Hex } from '../interop/index.js'
import { RemoteRpcError, RpcClient, TransportError } from '../rpc/index.js'
import { hexToBytes } from '../util/hex.js'
import { LoadtestError } from './errors.js'

/** One real initiating log, everything a CrossL2Inbox access needs. */
export type HarvestedLog = {
  chainId: bigint
  origin: Hex
  blockNumber: bigint
  logIndex: number
  timestamp: bigint
  topics: Hex[]
  data: Hex
}

export type HarvestedChain = {
  url: string
  chainId: bigint
  /** The block harvested up to (at the --min-safety tag) and its timestamp. */
  head: bigint
  headTimestamp: bigint
  logs: HarvestedLog[]
}

type RawLog = {
  address: string
  topics: string[]
  data: string
  blockNumber: string
  logIndex: string
  blockTimestamp?: string
  removed?: boolean
}

/** The block tag whose head a minimum safety reads from (cross-unsafe and local-safe: the nearest tag a node has). */
export function headTag(minSafety: string): 'latest' | 'safe' | 'finalized' {
  return minSafety === 'finalized'
    ? 'finalized'
    : minSafety === 'safe' || minSafety === 'local-safe'
      ? 'safe'
      : 'latest'
}

/**
 * Harvests up to `maxLogs` logs of the last `blocks` blocks of one chain (`[CHAINID=]URL`): any log is
 * an initiating message. Ranges shrink when the node refuses them; timestamps come from the logs
 * (`blockTimestamp`) or batched headers. Logs about to expire (within an hour of the 7-day window)
 * are left out: a valid case must stay valid for the whole run. Throws LoadtestError.
 */
export async function harvestChain(
  endpoint: string,
  opts: { blocks: number; maxLogs: number; timeoutMs: number; minSafety: string; allowEmpty?: boolean },
): Promise<HarvestedChain> {
  const m = /^(\d+)=(.*)$/.exec(endpoint)
  const url = m ? m[2]! : endpoint
  const client = new RpcClient(url, { timeoutMs: opts.timeoutMs })
  try {
    const chainId = BigInt(await call<string>(client, url, 'eth_chainId'))
    if (m && BigInt(m[1]!) !== chainId)
      throw new LoadtestError(`--rpc ${endpoint}: the endpoint's chain id is ${chainId}, not ${m[1]}`)
    const tag = headTag(opts.minSafety)
    const headBlock = await call<{ number: string; timestamp: string } | null>(client, url, 'eth_getBlockByNumber', [
      tag,
      false,
    ])
    if (!headBlock) throw new LoadtestError(`--rpc ${url}: no "${tag}" block yet`)
    const head = BigInt(headBlock.number)
    const headTimestamp = BigInt(headBlock.timestamp)
    const lowest = head - BigInt(opts.blocks) + 1n > 0n ? head - BigInt(opts.blocks) + 1n : 0n
    const raw: RawLog[] = []
    let to = head
    let span = BigInt(opts.blocks)
    while (to >= lowest && raw.length < opts.maxLogs) {
      const from = to - span + 1n > lowest ? to - span + 1n : lowest
      let logs: RawLog[]
      try {
        logs = await client.call<RawLog[]>('eth_getLogs', [{ fromBlock: hex(from), toBlock: hex(to) }])
      } catch (err) {
        // a node's range or result-size limit: a smaller range; anything else (or 1 block refused) is fatal
        if (err instanceof RemoteRpcError && span > 1n) {
          span = span / 4n > 0n ? span / 4n : 1n
          continue
        }
        throw setupError(url, 'eth_getLogs', err)
      }
      if (!Array.isArray(logs))
        throw new LoadtestError(`--rpc ${url}: eth_getLogs answered something that is not a list`)
      // newest first, so a cap keeps the freshest logs
      raw.push(...logs.filter((l) => !l.removed).reverse())
      to = from - 1n
    }
    const picked = raw.slice(0, opts.maxLogs)
    if (picked.length === 0 && opts.allowEmpty) return { url, chainId, head, headTimestamp, logs: [] }
    if (picked.length === 0)
      throw new LoadtestError(
        `chain ${chainId} (${url}) has no logs in blocks ${lowest}..${head}: a checker needs real initiating logs (any contract event); emit some or raise --blocks`,
      )
    const times = await timestamps(client, url, picked)
    const oldest = headTimestamp - EXPIRY_WINDOW_S + 3600n
    const logs = picked
      .map((l) => ({
        chainId,
        origin: l.address.toLowerCase() as Hex,
        blockNumber: BigInt(l.blockNumber),
        logIndex: Number(BigInt(l.logIndex)),
        timestamp: times.get(l.blockNumber)!,
        topics: l.topics as Hex[],
        data: l.data as Hex,
      }))
      .filter((l) => l.timestamp > oldest)
    if (logs.length === 0)
      throw new LoadtestError(`chain ${chainId} (${url}): every harvested log is older than the 7-day expiry window`)
    return { url, chainId, head, headTimestamp, logs }
  } finally {
    client.close()
  }
}

/** Block timestamps of the logs' blocks: from the logs when the node includes them, else batched headers. */
async function timestamps(client: RpcClient, url: string, logs: RawLog[]): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>()
  const missing = new Set<string>()
  for (const l of logs) {
    if (l.blockTimestamp !== undefined) out.set(l.blockNumber, BigInt(l.blockTimestamp))
    else missing.add(l.blockNumber)
  }
  const list = [...missing]
  for (let i = 0; i < list.length; i += 100) {
    const part = list.slice(i, i + 100)
    let answers: Awaited<ReturnType<RpcClient['batch']>>
    try {
      answers = await client.batch(part.map((n) => ({ method: 'eth_getBlockByNumber', params: [n, false] })))
    } catch (err) {
      throw setupError(url, 'eth_getBlockByNumber', err)
    }
    answers.forEach((a, j) => {
      const block = a.ok ? (a.result as { timestamp?: string } | null) : null
      if (!block?.timestamp) throw new LoadtestError(`--rpc ${url}: no header for block ${part[j]}`)
      out.set(part[j]!, BigInt(block.timestamp))
    })
  }
  return out
}

async function call<T>(client: RpcClient, url: string, method: string, params: unknown[] = []): Promise<T> {
  try {
    return await client.call<T>(method, params)
  } catch (err) {
    throw setupError(url, method, err)
  }
}

function setupError(url: string, method: string, err: unknown): LoadtestError {
  if (err instanceof LoadtestError) return err
  if (err instanceof TransportError)
    return new LoadtestError(`--rpc ${url} unreachable (${method}): ${err.message}`, { cause: err })
  if (err instanceof RemoteRpcError)
    return new LoadtestError(`--rpc ${url}: ${method} failed: ${err.rpcCode} ${err.message}`, { cause: err })
  return new LoadtestError(`--rpc ${url}: ${method} failed: ${(err as Error).message}`, { cause: err })
}

const hex = (n: bigint) => `0x${n.toString(16)}`

/** The bytes of a log's origin, for the codec. */
export const originBytes = (l: HarvestedLog) => hexToBytes(l.origin)
