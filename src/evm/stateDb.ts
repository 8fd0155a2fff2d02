import type { Common } from '@ethereumjs/common'
import { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import { MapDB, ValueEncoding } from '@ethereumjs/util'

/**
 * The state of every block engine-sim keeps, in memory: one map of trie nodes (keccak → node)
 * shared by all state roots, so a block's state is its root and reading an older block (eth_call
 * at a recent block, a reorg to an older parent) needs no copy. Nodes are never deleted while the
 * process runs; StateDb.prune drops those no kept root reaches (engine-sim keeps the last
 * KEPT_STATES blocks' states: src/evm/README and the enginesim README section).
 */
export class StateDb {
  readonly db = new MapDB<string, Uint8Array | string>()
  readonly #common: Common

  constructor(common: Common) {
    this.#common = common
  }

  /** A state manager over the shared nodes at `root` (the empty state when undefined). */
  stateManager(root?: Uint8Array, cached = true): MerkleStateManager {
    const trie = new MerklePatriciaTrie({
      db: this.db,
      useKeyHashing: true,
      common: this.#common,
      valueEncoding: ValueEncoding.Bytes,
      ...(root ? { root } : {}),
    })
    return new MerkleStateManager({
      trie,
      common: this.#common,
      ...(cached
        ? { caches: new Caches({ account: { size: 50_000 }, storage: { size: 50_000 }, code: { size: 2_000 } }) }
        : {}),
    })
  }

  /** Trie nodes held (each ~100–600 bytes). */
  get size(): number {
    return this.db._database.size
  }
}
