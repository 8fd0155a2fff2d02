import type { Hex } from './types.js'

/** The SDM PostExec transaction type (optimism#20213, #20738): at most one per block, and last. */
export const POST_EXEC_TX_TYPE = 0x7d

const isPostExec = (raw: Hex) => raw.length >= 4 && raw.slice(2, 4).toLowerCase() === '7d'

/**
 * Why a block's raw transaction list breaks the PostExec rule, or undefined: before its
 * activation (`active` false) there is none; after it, at most one, and only as the last
 * transaction. Reads the type byte only (the body is the engine's to judge).
 */
export function postExecViolation(txs: readonly Hex[], active: boolean): string | undefined {
  let at = -1
  for (let i = 0; i < txs.length; i++) {
    if (!isPostExec(txs[i]!)) continue
    if (!active) return `invalid transaction ${i}: PostExec (0x7d) transaction before its activation`
    if (at !== -1) return `invalid transaction ${i}: more than one PostExec (0x7d) transaction`
    at = i
  }
  if (at !== -1 && at !== txs.length - 1)
    return `invalid transaction ${at}: PostExec (0x7d) transaction is not the last`
  return undefined
}

/** The transactions to execute: all but a trailing PostExec one (it carries metering, not state changes). */
export function withoutPostExec(txs: readonly Hex[]): readonly Hex[] {
  return txs.length > 0 && isPostExec(txs[txs.length - 1]!) ? txs.slice(0, -1) : txs
}
