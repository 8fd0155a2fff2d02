import type { Common } from '@ethereumjs/common'
import { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import { MapDB, ValueEncoding } from '@ethereumjs/util'

const EMPTY_ROOT = '56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421'

/**
 * The state of every block engine-sim keeps, in memory: one map of trie nodes (keccak → node)
 * shared by all state roots, so a block's state is its root and reading an older block (eth_call
 * at a recent block, a reorg to an older parent) needs no copy. Nodes are never deleted while the
 * process runs until StateDb.prune drops those no kept root reaches (engine-sim keeps the states
 * of the blocks within 256 of its head: KEPT_STATES in src/enginesim/engineApi.ts).
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

  /**
   * Drops every trie node and code entry that no root in `keep` reaches (mark and sweep over the
   * account tries, their storage tries and code); returns how many entries went. Linear in the
   * live state: ~1 ms per 1,000 nodes.
   */
  prune(keep: Iterable<string>): number {
    const db = this.db._database
    const live = new Set<string>()
    const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')
    type Node = Uint8Array | Node[]
    const walk = (hash: string, accounts: boolean): void => {
      if (live.has(hash)) return
      const raw = db.get(hash)
      if (raw === undefined) return
      live.add(hash)
      visit(RLP.decode(typeof raw === 'string' ? Buffer.from(raw, 'hex') : raw) as Node, accounts)
    }
    const ref = (x: Node | undefined, accounts: boolean): void => {
      if (x instanceof Uint8Array) {
        if (x.length === 32) walk(hex(x), accounts)
      } else if (Array.isArray(x) && x.length > 0) visit(x, accounts)
    }
    const account = (value: Node | undefined): void => {
      if (!(value instanceof Uint8Array) || value.length === 0) return
      const [, , storageRoot, codeHash] = RLP.decode(value) as Uint8Array[]
      if (storageRoot) walk(hex(storageRoot), false)
      if (codeHash) {
        const key = `63${hex(codeHash)}`
        if (db.has(key)) live.add(key)
      }
    }
    const visit = (node: Node, accounts: boolean): void => {
      if (!Array.isArray(node)) return
      if (node.length === 17) {
        for (let i = 0; i < 16; i++) ref(node[i], accounts)
        if (accounts) account(node[16])
      } else if (node.length === 2) {
        const path = node[0] as Uint8Array
        const isLeaf = path.length > 0 && path[0]! >> 4 >= 2
        if (isLeaf) {
          if (accounts) account(node[1])
        } else ref(node[1], accounts)
      }
    }
    for (const root of keep) walk(root.replace(/^0x/, '').toLowerCase(), true)
    let dropped = 0
    for (const key of db.keys())
      if (!live.has(key)) {
        db.delete(key)
        dropped++
      }
    return dropped
  }

  /** Whether the state at `root` is held (the empty state always is). */
  has(root: string): boolean {
    const key = root.replace(/^0x/, '').toLowerCase()
    return key === EMPTY_ROOT || this.db._database.has(key)
  }

  /** Trie nodes held (each ~100–600 bytes). */
  get size(): number {
    return this.db._database.size
  }
}
