import type { Hex } from '../engine/types.js'
import { InvalidParamsError } from '../errors/index.js'
import { isHex } from '../util/hex.js'
import type { LogFilter } from './ethViews.js'

/** geth's filter limits (eth/filters/api.go): 4 topic positions, 1,000 addresses; our range cap. */
export const MAX_TOPICS = 4
export const MAX_ADDRESSES = 1000
/** Most blocks one eth_getLogs may span (geth's --rpc.logquerylimit style bound; the answer stays bounded). */
export const MAX_LOG_RANGE = 10_000n

export type LogQuery = LogFilter & { blockHash: Hex | undefined; fromBlock: unknown; toBlock: unknown }

/** Parses eth_getLogs' filter object; -32602 naming the bad field, as geth's decoder. */
export function parseLogQuery(v: unknown): LogQuery {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new InvalidParamsError('filter: expected an object')
  const f = v as Record<string, unknown>
  let addresses: Set<string> | undefined
  if (f.address !== undefined && f.address !== null) {
    const list = Array.isArray(f.address) ? f.address : [f.address]
    if (list.length > MAX_ADDRESSES) throw new InvalidParamsError('exceed max addresses')
    for (const a of list) if (!isHex(a, 20)) throw new InvalidParamsError('address: expected 20 bytes of hex')
    if (list.length > 0) addresses = new Set(list.map((a: string) => a.toLowerCase()))
  }
  const topics: (Set<string> | null)[] = []
  if (f.topics !== undefined && f.topics !== null) {
    if (!Array.isArray(f.topics)) throw new InvalidParamsError('topics: expected an array')
    if (f.topics.length > MAX_TOPICS) throw new InvalidParamsError('exceed max topics')
    for (const t of f.topics) {
      if (t === null) topics.push(null)
      else {
        const list = Array.isArray(t) ? t : [t]
        for (const x of list) if (!isHex(x, 32)) throw new InvalidParamsError('topics: expected 32 bytes of hex')
        topics.push(list.length === 0 ? null : new Set(list.map((x: string) => x.toLowerCase())))
      }
    }
  }
  let blockHash: Hex | undefined
  if (f.blockHash !== undefined && f.blockHash !== null) {
    if (!isHex(f.blockHash, 32)) throw new InvalidParamsError('blockHash: expected 32 bytes of hex')
    if (f.fromBlock !== undefined || f.toBlock !== undefined)
      throw new InvalidParamsError("can't specify fromBlock/toBlock with blockHash")
    blockHash = f.blockHash
  }
  return { addresses, topics, blockHash, fromBlock: f.fromBlock, toBlock: f.toBlock }
}
