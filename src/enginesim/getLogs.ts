import { InvalidParamsError } from '../errors/index.js'
import { isHex } from '../util/hex.js'
import type { EngineSim } from './sim.js'

/**
 * eth_getLogs while engine-sim executes nothing: no block has a log (every logsBloom is zero), so a
 * well-formed filter over known blocks answers []. Enough for a supervisor to index the chain (its
 * index then has empty blocks) and for its light mode to answer "no such log". A filter naming an
 * unknown block hash is geth's -32602-style refusal; a range past the head is [] as in geth.
 * Replaced by real logs once engine-sim runs an EVM.
 */
export function emptyGetLogs(sim: EngineSim): (p: readonly unknown[]) => unknown[] {
  return (p) => {
    const f = p[0]
    if (f === null || typeof f !== 'object' || Array.isArray(f))
      throw new InvalidParamsError('filter: expected an object')
    const { blockHash, fromBlock, toBlock } = f as Record<string, unknown>
    if (blockHash !== undefined) {
      if (fromBlock !== undefined || toBlock !== undefined)
        throw new InvalidParamsError('filter: blockHash cannot be combined with fromBlock/toBlock')
      if (!isHex(blockHash, 32)) throw new InvalidParamsError('blockHash: expected 32 bytes of hex')
      if (!sim.chain.get(blockHash)) throw new InvalidParamsError('unknown block')
      return []
    }
    const bound = (v: unknown, name: string) => {
      if (v === undefined) return sim.chain.head.number
      try {
        return sim.blockByTag(v)?.number ?? BigInt(v as string)
      } catch {
        throw new InvalidParamsError(`${name}: expected a hex quantity or latest, pending, safe, finalized, earliest`)
      }
    }
    if (bound(fromBlock, 'fromBlock') > bound(toBlock, 'toBlock'))
      throw new InvalidParamsError('invalid block range params')
    return []
  }
}
