import { computeBlockHash } from '../engine/blockHash.js'
import type { ExecutionPayloadV3, Hex } from '../engine/types.js'
import { initKeccak } from '../util/keccak.js'

// The WASM keccak before the first task: a worker exists to be fast.
await initKeccak()

export type BlockHashTask = { payload: ExecutionPayloadV3; parentBeaconBlockRoot: Hex; v4: boolean }

/** Piscina task: a large submission's block hash (transactions trie + header), off the main thread. */
export default function blockHashTask(t: BlockHashTask): Hex | null {
  try {
    return computeBlockHash(t.payload, t.parentBeaconBlockRoot, t.v4 ? [] : undefined)
  } catch {
    return null
  }
}
