import { computeBlockHash } from '../engine/blockHash.js'
import type { ExecutionPayloadV3, Hex } from '../engine/types.js'
import { initKeccak } from '../util/keccak.js'

// The WASM keccak loads as the worker starts, but is awaited in the task, not at top level: a
// module with top-level await cannot be require()d, so Piscina falls back to import(), and Node 20
// aborts the process (v8 IsGraphAsync) when a second task's require() meets that import half done.
const keccakReady = initKeccak()

export type BlockHashTask = { payload: ExecutionPayloadV3; parentBeaconBlockRoot: Hex; v4: boolean }

/** Piscina task: a large submission's block hash (transactions trie + header), off the main thread. */
export default async function blockHashTask(t: BlockHashTask): Promise<Hex | null> {
  await keccakReady
  try {
    return computeBlockHash(t.payload, t.parentBeaconBlockRoot, t.v4 ? [] : undefined)
  } catch {
    return null
  }
}
