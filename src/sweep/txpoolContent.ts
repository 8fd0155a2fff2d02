import { type Hex, inboxEntries } from '../interop/index.js'

/** An interop transaction found in a txpool. */
export type TxpoolTx = { hash: Hex; inboxEntries: string[] }

export type TxpoolContent = {
  /** Transactions with at least one CrossL2Inbox storage key, pending first, then queued. */
  txs: TxpoolTx[]
  /** Every transaction listed, interop or not. */
  total: number
  /** Listed transactions without a usable hash or access list, ignored. */
  skipped: number
  /** The hash of every listed transaction with a usable one (interop or not): what the pool holds. */
  all: Hex[]
}

const HASH = /^0x[0-9a-fA-F]{64}$/

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * Reads geth's `txpool_content` answer, which anvil and reth serve too:
 * `{pending: {<sender>: {<nonce>: tx}}, queued: {…}}`, every tx an RPC transaction object whose
 * `accessList` (typed transactions) carries the CrossL2Inbox storage keys. Throws only when the
 * answer is not that shape at all; a malformed transaction is skipped and counted.
 */
export function parseTxpoolContent(content: unknown): TxpoolContent {
  if (!isObject(content)) throw new TypeError('txpool_content: expected an object with pending and queued')
  const out: TxpoolContent = { txs: [], total: 0, skipped: 0, all: [] }
  for (const section of [content.pending, content.queued]) {
    if (section === undefined || section === null) continue
    if (!isObject(section)) throw new TypeError('txpool_content: pending and queued must be objects')
    for (const byNonce of Object.values(section)) {
      if (!isObject(byNonce)) {
        out.skipped++
        continue
      }
      for (const tx of Object.values(byNonce)) add(out, tx)
    }
  }
  return out
}

/** The CrossL2Inbox keys of one listed transaction ([] when it declares none), or undefined if it is malformed. */
function interopEntries(tx: unknown): string[] | undefined {
  if (!isObject(tx) || typeof tx.hash !== 'string' || !HASH.test(tx.hash)) return undefined
  const list = tx.accessList
  if (list === undefined || list === null) return []
  if (!Array.isArray(list)) return undefined
  for (const t of list) {
    if (!isObject(t) || typeof t.address !== 'string' || !Array.isArray(t.storageKeys)) return undefined
    if (!t.storageKeys.every((k) => typeof k === 'string')) return undefined
  }
  return inboxEntries(list as { address: string; storageKeys: string[] }[])
}

/**
 * Reads `eth_getTransactionByHash` answers the same way (null = no longer known; a transaction
 * with a block number was included meanwhile and is not pending): the pending ones only.
 */
export function parsePendingTransactions(answers: readonly unknown[]): TxpoolContent {
  const out: TxpoolContent = { txs: [], total: 0, skipped: 0, all: [] }
  for (const tx of answers) {
    if (tx === null || tx === undefined) continue
    if (isObject(tx) && tx.blockNumber !== null && tx.blockNumber !== undefined) continue
    add(out, tx)
  }
  return out
}

/** Counts one listed transaction into `out`: skipped if malformed, else its hash (and its entries if interop). */
function add(out: TxpoolContent, tx: unknown): void {
  out.total++
  const entries = interopEntries(tx)
  if (entries === undefined) {
    out.skipped++
    return
  }
  const hash = (tx as { hash: string }).hash.toLowerCase() as Hex
  out.all.push(hash)
  if (entries.length > 0) out.txs.push({ hash, inboxEntries: entries })
}
