import { join } from 'node:path'
import type { BlockRef, ChainStatus, LogReader } from '../../src/check/types.js'
import { type Access, checksum, logHash } from '../../src/interop/index.js'
import type { IndexedBlock, IndexedLog } from '../../src/logindex/indexedBlock.js'
import { IndexLogReader } from '../../src/logindex/logReader.js'
import { LogStore } from '../../src/logindex/logStore.js'
import { migrate } from '../../src/logindex/migrate.js'
import { type Db, openDb } from '../../src/logindex/openDb.js'
import { bytesToHex } from '../../src/util/hex.js'
import { initKeccak, keccak256 } from '../../src/util/keccak.js'
import { between, seededRandom } from './random.js'

export type SeedIndexOptions = {
  /** Directory of the database file (index.db). */
  dir: string
  chains?: readonly bigint[]
  /** Logs in total, split evenly across the chains. */
  logs?: number
  /** Logs per block, inclusive range (a block may be empty). */
  logsPerBlock?: [number, number]
  /** First indexed block of every chain: a mature chain whose backfill window starts far from genesis. */
  firstBlock?: bigint
  seed?: number
}

export type SeededIndex = {
  dbPath: string
  chains: readonly bigint[]
  /** Every stored log as the access that declares it (what a transaction's access list carries). */
  accesses: Access[]
  /** Timestamp of the newest block of any chain; blocks are 2 s apart and end about now. */
  headTimestamp: bigint
  /** The writer's database and a reader over it with the writer's heads, as inside startIndexer. */
  db: Db
  reader: LogReader
  /** The writer (its in-memory heads are the reader's `state`). */
  store: LogStore
  status(): ChainStatus[]
  seconds: number
  close(): void
}

const ORIGINS = 32

/**
 * Writes a ready log index directly through LogStore (the indexer's own writer, so rows,
 * checksums and heads are exactly what a backfill commits), without a chain: for each chain,
 * consecutive linked blocks 2 s apart ending about now, each with a few to a hundred logs from
 * a few dozen contracts, checksums computed with the chain's id. Every head (unsafe,
 * cross-unsafe, safe, finalized) is the last block and every chain is marked ready.
 */
export async function seedIndex({
  dir,
  chains = [901n, 902n],
  logs = 100_000,
  logsPerBlock = [0, 100],
  firstBlock = 10_000_000n,
  seed = 7,
}: SeedIndexOptions): Promise<SeededIndex> {
  const started = performance.now()
  await initKeccak()
  const rand = seededRandom(seed)
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256))
  const origins = Array.from({ length: ORIGINS }, () => bytes(20))
  const dbPath = join(dir, 'index.db')
  const db = openDb(dbPath)
  migrate(db)
  const store = new LogStore(db)
  const accesses: Access[] = []
  const perChain = Math.ceil(logs / chains.length)
  const headTimestamp = BigInt(Math.floor(Date.now() / 1000)) - 10n
  const heads = new Map<bigint, BlockRef>()

  for (const chainId of chains) {
    const record = store.registerChain(chainId)
    // Draw the block sizes first: the timestamps count back from the head.
    const sizes: number[] = []
    for (let left = perChain; left > 0; ) {
      const n = Math.min(left, between(rand, logsPerBlock[0], logsPerBlock[1]))
      sizes.push(n)
      left -= n
    }
    let parentHash = bytesToHex(keccak256(bytes(32)))
    let pending: IndexedBlock[] = []
    for (const [i, size] of sizes.entries()) {
      const number = firstBlock + BigInt(i)
      const timestamp = headTimestamp - 2n * BigInt(sizes.length - 1 - i)
      const hash = bytesToHex(keccak256(bytes(32)))
      const blockLogs: IndexedLog[] = []
      for (let logIndex = 0; logIndex < size; logIndex++) {
        const lh = logHash(origins[between(rand, 0, ORIGINS - 1)]!, bytes(32))
        const sum = checksum({ logHash: lh, blockNumber: number, timestamp, logIndex, chainId })
        blockLogs.push({ logIndex, checksum: Buffer.from(sum), logHash: Buffer.from(lh) })
        accesses.push({ chainId, blockNumber: number, timestamp, logIndex, checksum: bytesToHex(sum) })
      }
      const ref: BlockRef = { number, hash, parentHash, timestamp }
      pending.push({ ref, logs: blockLogs, execMsgs: [] })
      parentHash = hash
      if (pending.length === 100 || i === sizes.length - 1) {
        store.appendBlocks(record.key, pending)
        pending = []
      }
    }
    const tip = store.head(record.key, 'unsafe')!
    store.transaction(() => {
      for (const level of ['cross-unsafe', 'safe', 'finalized'] as const) store.setHead(record.key, level, tip)
    })
    store.setReady(record.key)
    heads.set(chainId, tip)
  }

  const reader = new IndexLogReader(db, { chains, state: store, heldSnapshot: true })
  return {
    dbPath,
    chains,
    accesses,
    headTimestamp,
    db,
    reader,
    store,
    status: () =>
      chains.map((chainId) => ({
        chainId,
        ready: true,
        indexed: heads.get(chainId),
        remoteHead: heads.get(chainId)!.number,
        lastPollAt: Date.now(),
      })),
    seconds: (performance.now() - started) / 1000,
    close: () => db.close(),
  }
}

/** `count` accesses drawn from `accesses` (seeded), for rotating request bodies. */
export function sampleAccesses(accesses: readonly Access[], count: number, seed = 11): Access[] {
  const rand = seededRandom(seed)
  return Array.from({ length: count }, () => accesses[Math.floor(rand() * accesses.length)]!)
}
