import { setImmediate as yieldToLoop } from 'node:timers/promises'
import {
  ENTRY_CHAIN_ID_EXTENSION,
  ENTRY_CHECKSUM,
  ENTRY_LOOKUP,
  entryTypeByte,
  type Hex,
  parseAccessList,
} from '../interop/index.js'
import { ACCESS_BYTES, packAccess } from './protocol.js'

/** An interop transaction as a sweep sees it, whatever its source. */
export type SweepTx = {
  hash: Hex
  /** Its CrossL2Inbox storage keys, in order. */
  inboxEntries: readonly string[]
  /** Unix ms when it was first seen (the pre-verification window counts from here). */
  firstSeen: number
}

/** A full (or the last, partial) chunk of unique accesses, ready to go to a worker. */
export type PlannedChunk = { base: number; count: number; accesses: ArrayBuffer }

export type RoundPlan = {
  /**
   * Accesses packed for checking, numbered 0..unique-1 in chunk order: the round's unique accesses,
   * except that one seen again after the de-duplication memory was reset (`dedupeWindow`) is packed
   * (and checked) again.
   */
  unique: number
  /** Access declarations over all transactions, before de-duplication. */
  declared: number
  /** Accesses of tx i are refs[start[i]..start[i+1]) (unique-access numbers). */
  start: Uint32Array
  refs: Uint32Array
  /** Transactions whose access list does not parse, by index, with op-supervisor's message. */
  parseErrors: Map<number, string>
}

export type PlanOptions = {
  chunkSize: number
  /** Called as soon as a chunk is full, so checking overlaps planning. */
  onChunk: (chunk: PlannedChunk) => void
  /** Longest stretch of synchronous work before yielding to the event loop. */
  sliceMs?: number
  /** The de-duplication memory is reset at the first chunk boundary after this many accesses were packed since its last reset (DEDUPE_WINDOW). */
  dedupeWindow?: number
  signal?: AbortSignal
}

const UPPER_HEX = /[A-F]/

/** Entries are lower-case in practice; toLowerCase would still allocate a copy of each. */
function lower(entry: string): string {
  return UPPER_HEX.test(entry) ? entry.toLowerCase() : entry
}

/**
 * The plan's de-duplication memory is reset at the first chunk boundary once this many accesses
 * were packed since its last reset (a reset, not a sliding window: an access seen just before it
 * is packed again if it comes again). A Map of every access of a 1M round left the CPU caches:
 * 500–540 ms of the main thread for 1M keys here, against 220–260 ms with this bound (4,096:
 * 200–220). A round of up to ~65k distinct accesses is de-duplicated whole; beyond, an access that
 * comes again across a reset is checked once more, on a worker (one look-up).
 */
export const DEDUPE_WINDOW = 65_536

/**
 * Splits every transaction's inbox entries into accesses, de-duplicates them (between resets of
 * the memory, DEDUPE_WINDOW) and packs each unique access once into chunk buffers. Structural
 * checks mirror op-supervisor's ParseAccess exactly (type order, zero bytes), without decoding
 * numbers: workers decode. Runs in slices of `sliceMs` so the main thread keeps serving while
 * 100k transactions plan.
 */
export async function planRound(txs: readonly SweepTx[], opts: PlanOptions): Promise<RoundPlan> {
  const sliceMs = opts.sliceMs ?? 4
  let total = 0
  for (const tx of txs) total += tx.inboxEntries.length
  const start = new Uint32Array(txs.length + 1)
  // Every access takes at least two entries, so this bounds the references.
  const refs = new Uint32Array(Math.floor(total / 2))
  const parseErrors = new Map<number, string>()
  // De-duplication without building a key per access (the main thread's garbage is its GC
  // pauses): an access is found by its checksum string, the very string object the transaction
  // holds, and confirmed by comparing its lookup. A checksum declared with another lookup (forged)
  // or an access with a chain-id extension falls back to a map keyed by all its entries.
  const byChecksum = new Map<string, number>()
  /** The lookup of each access in byChecksum, by its number minus `remembersFrom`. */
  const lookupOf: string[] = []
  const byEntries = new Map<string, number>()
  const window = opts.dedupeWindow ?? DEDUPE_WINDOW
  let remembersFrom = 0
  let nrefs = 0
  let declared = 0

  let chunk: Buffer | undefined
  let chunkBase = 0
  let chunkCount = 0
  const flush = () => {
    if (!chunk || chunkCount === 0) return
    const accesses = chunkCount === opts.chunkSize ? chunk.buffer : chunk.buffer.slice(0, chunkCount * ACCESS_BYTES)
    opts.onChunk({ base: chunkBase, count: chunkCount, accesses: accesses as ArrayBuffer })
    chunk = undefined
    chunkBase += chunkCount
    chunkCount = 0
    if (chunkBase - remembersFrom >= window) {
      byChecksum.clear()
      byEntries.clear()
      lookupOf.length = 0
      remembersFrom = chunkBase
    }
  }

  let sliceStart = performance.now()
  for (let t = 0; t < txs.length; t++) {
    if ((t & 255) === 255 && performance.now() - sliceStart > sliceMs) {
      await yieldToLoop()
      opts.signal?.throwIfAborted()
      sliceStart = performance.now()
    }
    start[t] = nrefs
    const entries = txs[t]!.inboxEntries
    const firstRef = nrefs
    let i = 0
    let bad = false
    while (i < entries.length) {
      const lookup = entries[i]!
      if (entryTypeByte(lookup) !== ENTRY_LOOKUP || !lookup.startsWith('000000', 4) || ++i >= entries.length) {
        bad = true
        break
      }
      let next = entries[i]!
      let nt = entryTypeByte(next)
      let ext: string | undefined
      if (nt === ENTRY_CHAIN_ID_EXTENSION) {
        if (!next.startsWith('00000000000000', 4) || ++i >= entries.length) {
          bad = true
          break
        }
        ext = lower(next)
        next = entries[i]!
        nt = entryTypeByte(next)
      }
      if (nt !== ENTRY_CHECKSUM) {
        bad = true
        break
      }
      i++
      const lo = lower(lookup)
      const cs = lower(next)
      let id: number | undefined
      let key: string | undefined
      if (ext === undefined) {
        const first = byChecksum.get(cs)
        if (first === undefined || lookupOf[first - remembersFrom] === lo) id = first
        else id = byEntries.get((key = lo + cs))
      } else {
        id = byEntries.get((key = lo + ext + cs))
      }
      if (id === undefined) {
        chunk ??= Buffer.from(new ArrayBuffer(opts.chunkSize * ACCESS_BYTES))
        // An access seen before was fully hex; a new one is validated by packing it.
        if (!packAccess(chunk, chunkCount * ACCESS_BYTES, lo, ext, cs)) {
          bad = true
          break
        }
        id = chunkBase + chunkCount
        if (key === undefined) {
          byChecksum.set(cs, id)
          lookupOf[id - remembersFrom] = lo
        } else {
          byEntries.set(key, id)
        }
        if (++chunkCount === opts.chunkSize) flush()
      }
      refs[nrefs++] = id
    }
    if (bad) {
      // Accesses already registered from this transaction stay in their chunk: checking them
      // costs one look-up each and undoing a shared access would cost more.
      nrefs = firstRef
      parseErrors.set(t, parseMessage(entries))
    } else {
      declared += nrefs - firstRef
    }
  }
  start[txs.length] = nrefs
  flush()
  return { unique: chunkBase, declared, start, refs, parseErrors }
}

/** op-supervisor's own wording for why `entries` do not parse (the codec is the single source of it). */
function parseMessage(entries: readonly string[]): string {
  try {
    parseAccessList(entries)
  } catch (err) {
    return `failed to read data: ${(err as Error).message}`
  }
  return 'failed to read data: malformed access list'
}

/** Unique-access numbers of transaction `t`. */
export function refsOf(plan: RoundPlan, t: number): Uint32Array {
  return plan.refs.subarray(plan.start[t]!, plan.start[t + 1]!)
}
