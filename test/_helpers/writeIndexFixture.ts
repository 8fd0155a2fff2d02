import type { BlockRef } from '../../src/check/types.js'
import { type Access, accessFor, encodeAccess, type Hex, logHash } from '../../src/interop/index.js'
import type { IndexedBlock } from '../../src/logindex/indexedBlock.js'
import { LogStore } from '../../src/logindex/logStore.js'
import { migrate } from '../../src/logindex/migrate.js'
import { openDb } from '../../src/logindex/openDb.js'
import { bytesToHex } from '../../src/util/hex.js'
import { initKeccak, keccak256 } from '../../src/util/keccak.js'

export type IndexFixtureOptions = {
  /** Initiating logs on the source chain. */
  logs: number
  logsPerBlock?: number
  sourceChain?: bigint
  /** The executing chain: registered and ready (a check needs it in the dependency set). */
  execChain?: bigint
  /** Timestamp (s) of the last source block; blocks are 2 s apart. Default: a minute ago. */
  headTimestamp?: bigint
}

export type IndexFixture = {
  path: string
  sourceChain: bigint
  execChain: bigint
  /** The access declaring log i (valid against the index). */
  access(i: number): Access
  /** The inbox entries declaring log i. */
  entries(i: number): Hex[]
  head: BlockRef
  /** The executing chain's only block (its head). */
  execHead: BlockRef
}

const word = (tag: string, n: number | bigint) => keccak256(Buffer.from(`${tag}:${n}`))

/**
 * Writes a log index with the log index's own writer (LogStore, the schema migrations): one source
 * chain with `logs` initiating logs (deterministic origins and payloads), heads at the last block
 * for every level, both chains ready. What `superguard supervisor` would have indexed, in seconds.
 */
export async function writeIndexFixture(path: string, opts: IndexFixtureOptions): Promise<IndexFixture> {
  await initKeccak()
  const sourceChain = opts.sourceChain ?? 901n
  const execChain = opts.execChain ?? 902n
  const perBlock = opts.logsPerBlock ?? 100
  const nBlocks = Math.ceil(opts.logs / perBlock)
  const headTs = opts.headTimestamp ?? BigInt(Math.floor(Date.now() / 1000) - 60)
  const db = openDb(path)
  migrate(db)
  const store = new LogStore(db)
  const src = store.registerChain(sourceChain)
  const exec = store.registerChain(execChain)
  const accesses: Access[] = new Array(opts.logs)
  let parent = bytesToHex(new Uint8Array(32))
  let head: BlockRef | undefined
  const batch: IndexedBlock[] = []
  for (let b = 0; b < nBlocks; b++) {
    const number = BigInt(b + 1)
    const ref: BlockRef = {
      number,
      hash: bytesToHex(word('block', number)),
      parentHash: parent,
      timestamp: headTs - BigInt(2 * (nBlocks - 1 - b)),
    }
    const logs: IndexedBlock['logs'] = []
    for (let l = 0; l < perBlock && b * perBlock + l < opts.logs; l++) {
      const i = b * perBlock + l
      const origin = word('origin', i).subarray(0, 20)
      const payloadHash = word('payload', i)
      const a = accessFor(
        {
          origin: bytesToHex(origin),
          blockNumber: number,
          logIndex: l,
          timestamp: ref.timestamp,
          chainId: sourceChain,
        },
        payloadHash,
      )
      accesses[i] = a
      logs.push({
        logIndex: l,
        checksum: Buffer.from(a.checksum.slice(2), 'hex'),
        logHash: Buffer.from(logHash(origin, payloadHash)),
      })
    }
    batch.push({ ref, logs, execMsgs: [] })
    parent = ref.hash
    head = ref
    if (batch.length === 500 || b === nBlocks - 1) store.appendBlocks(src.key, batch.splice(0))
  }
  const execHead: BlockRef = {
    number: 1n,
    hash: bytesToHex(word('exec', 1)),
    parentHash: bytesToHex(new Uint8Array(32)),
    timestamp: headTs,
  }
  store.appendBlocks(exec.key, [{ ref: execHead, logs: [], execMsgs: [] }])
  for (const [key, ref] of [
    [src.key, head!],
    [exec.key, execHead],
  ] as const) {
    for (const level of ['cross-unsafe', 'safe', 'finalized'] as const) store.setHead(key, level, ref)
    store.setReady(key)
  }
  db.close()
  return {
    path,
    sourceChain,
    execChain,
    head: head!,
    execHead,
    access: (i) => accesses[i]!,
    entries: (i) => encodeAccess(accesses[i]!),
  }
}
