import { RpcCode } from '../errors/index.js'

/**
 * Local outcomes of a check, next to the supervisor's JSON-RPC codes (which are all negative).
 * 0 is a valid access.
 */
export const SweepCode = {
  Ok: 0,
  /** The access list does not parse (op-supervisor ParseAccess rules), checked locally. */
  Parse: 1,
  /** No JSON-RPC answer: refused, reset, HTTP error without a body, non-JSON. */
  Transport: 2,
  /** The request or the round ran out of time. */
  Timeout: 3,
  /** The worker task itself failed (crash, bad configuration). */
  Worker: 4,
  /** The transaction was first seen more than the pre-verification window ago (tx-level only). */
  Expired: 5,
  /** --evict-on-reorg: an access's source chain reorged at or below the accessed block (tx-level only). */
  SourceReorged: 6,
  /** --vote: no strict majority of the supervisors agreed on an access (kept, asked again next round). */
  NoMajority: 7,
} as const

export type Action = 'valid' | 'evict' | 'keep'

/**
 * Codes that prove a transaction can never become valid: evict it. Only these (as op-reth does
 * since optimism#21447): ConflictingData, IneffectiveData, DataCorruption, a local parse error,
 * the end of the pre-verification window, and (--evict-on-reorg) a reorg of a source chain.
 */
const EVICT: ReadonlySet<number> = new Set([
  RpcCode.ConflictingData,
  RpcCode.IneffectiveData,
  RpcCode.DataCorruption,
  SweepCode.Parse,
  SweepCode.Expired,
  SweepCode.SourceReorged,
])

/**
 * Codes known to be transient: keep the transaction and check it again next round (a lagging
 * supervisor must never drop a valid transaction). Any other code is kept too (unknown chain,
 * failsafe, invalid params, internal error): those say more about our request or the cluster than
 * about the transaction, and the pre-verification window still bounds how long it stays.
 */
const TRANSIENT: ReadonlySet<number> = new Set([
  RpcCode.FutureData,
  RpcCode.UninitializedChainDatabase,
  RpcCode.OutOfScope,
  SweepCode.Timeout,
  SweepCode.Transport,
  SweepCode.Worker,
  SweepCode.NoMajority,
])

const NAMES: Readonly<Record<number, string>> = {
  ...Object.fromEntries(Object.entries(RpcCode).map(([name, code]) => [code, name])),
  [SweepCode.Ok]: 'Ok',
  [SweepCode.Parse]: 'ParseError',
  [SweepCode.Transport]: 'TransportError',
  [SweepCode.Timeout]: 'Timeout',
  [SweepCode.Worker]: 'WorkerError',
  [SweepCode.Expired]: 'Expired',
  [SweepCode.SourceReorged]: 'SourceReorged',
  [SweepCode.NoMajority]: 'NoMajority',
}

/** What to do with a transaction whose (worst) access answered `code`. */
export function actionFor(code: number): Action {
  if (code === SweepCode.Ok) return 'valid'
  return EVICT.has(code) ? 'evict' : 'keep'
}

export function isTransient(code: number): boolean {
  return TRANSIENT.has(code)
}

/** A readable name for any code the sweep reports (RpcCode names, then local ones). */
export function codeName(code: number): string {
  return NAMES[code] ?? `Code${code}`
}

/**
 * Folds a transaction's accesses into its verdict: the first access with an evicting code evicts
 * it; else the first failing access keeps it; else it is valid. `refs[from..to)` are the
 * transaction's access numbers, `codes` the round's code per access. `at` is the deciding access
 * (-1: valid).
 */
export function classifyTx(
  refs: ArrayLike<number>,
  codes: ArrayLike<number>,
  from = 0,
  to = refs.length,
): { action: Action; at: number } {
  let keepAt = -1
  for (let r = from; r < to; r++) {
    const a = refs[r]!
    const code = codes[a]!
    if (code === SweepCode.Ok) continue
    if (EVICT.has(code)) return { action: 'evict', at: a }
    if (keepAt === -1) keepAt = a
  }
  return keepAt === -1 ? { action: 'valid', at: -1 } : { action: 'keep', at: keepAt }
}
