import { computeBlockHash } from '../src/engine/blockHash.js'
import type { Hex } from '../src/engine/types.js'
import type { BlockHashTask } from '../src/sequencer/blockHasher.js'
import { initKeccak } from '../src/util/keccak.js'

// The WASM keccak loads as the worker starts, but is awaited in the task, not at top level: a
// module with top-level await cannot be require()d, so Piscina falls back to import(), and Node 20
// aborts the process (v8 IsGraphAsync) when a second task's require() meets that import half done.
const keccakReady = initKeccak()

/** Piscina task: a large submission's block hash (transactions trie + header), off the main thread. */
export default async function blockHashTask(t: BlockHashTask): Promise<Hex | null> {
  await keccakReady
  try {
    return computeBlockHash(t.payload, t.parentBeaconBlockRoot, t.v4 ? [] : undefined)
  } catch {
    return null
  }
}
