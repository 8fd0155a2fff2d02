import type { Hex, WithdrawalV1 } from '../engine/types.js'
import { ExecutionCode, InvalidParamsError } from '../errors/index.js'
import { EngineApiError } from './errors.js'
import type { EngineSim } from './sim.js'

/** shanghai.md: a request for more than 1024 bodies is -38004 "Too large request". */
export const MAX_BODIES = 1024

const QUANTITY = /^0x(0|[1-9a-fA-F][0-9a-fA-F]{0,15})$/

/**
 * engine_getPayloadBodiesByRangeV1 (shanghai.md): the transactions and withdrawals of `count`
 * canonical blocks from `start`; a block past the head ends the list (no trailing nulls). With the
 * block's header (eth_getBlockByNumber) this rebuilds the payload: what a sequencer resends to a
 * replica engine that restarted empty.
 */
export function payloadBodiesByRange(
  sim: EngineSim,
): (p: readonly unknown[]) => ({ transactions: Hex[]; withdrawals: WithdrawalV1[] } | null)[] {
  return (p) => {
    const [start, count] = p
    if (typeof start !== 'string' || !QUANTITY.test(start)) throw new InvalidParamsError('start: expected a quantity')
    if (typeof count !== 'string' || !QUANTITY.test(count)) throw new InvalidParamsError('count: expected a quantity')
    const from = BigInt(start)
    const n = BigInt(count)
    if (from < 1n || n < 1n) throw new InvalidParamsError('start and count must be at least 1')
    if (n > BigInt(MAX_BODIES)) throw new EngineApiError(ExecutionCode.TooLargeRequest, 'Too large request')
    const out: ({ transactions: Hex[]; withdrawals: WithdrawalV1[] } | null)[] = []
    for (let k = from; k < from + n; k++) {
      const b = sim.chain.byNumber(k)
      if (!b) break
      out.push({ transactions: [...b.payload.transactions], withdrawals: [...b.payload.withdrawals] })
    }
    return out
  }
}
