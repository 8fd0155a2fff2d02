import type { Hex } from '../interop/index.js'

/** An interop transaction the ingress accepted, as the sweep re-checks it. */
export type AcceptedTx = {
  hash: Hex
  raw: Hex
  /** Its CrossL2Inbox access-list entries, as sent to the supervisor. */
  inboxEntries: Hex[]
  /** Unix ms when the ingress first accepted it (the pre-verification window counts from here). */
  firstSeen: number
}

/**
 * The accepted set: what the ingress accepted and a sweep re-checks. Two implementations: in
 * memory (`AcceptedSet`, one process) and in Redis (`RedisAcceptedSet`, shared by ingress replicas
 * and a sweep in any process). Methods answer at once in memory and with a promise over Redis.
 */
export interface AcceptedStore {
  /** Entries as last seen by this process (exact in memory; over Redis, as of the last command). */
  readonly size: number
  readonly maxSize: number
  /** Records a transaction; a known hash keeps its first-seen time. False when it was known (or Redis is down). */
  add(tx: AcceptedTx): boolean | Promise<boolean>
  get(hash: Hex): AcceptedTx | undefined | Promise<AcceptedTx | undefined>
  /** Forgets a transaction; false when it was not there. */
  delete(hash: Hex): boolean | Promise<boolean>
  /** A snapshot, so a sweep can run while the ingress keeps adding. */
  snapshot(): AcceptedTx[] | Promise<AcceptedTx[]>
}
