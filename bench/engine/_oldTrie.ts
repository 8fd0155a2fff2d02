// The transactions/receipts trie as of commit 8f6cee7 (node arrays encoded with viem's generic toRlp): kept only
// as the baseline of bench/engine/txRoot.bench.ts; test/engine/largeTrie.test.ts holds roots it computed.
import { toRlp } from 'viem'
// Unchanged since that commit: shared, not copied.
import { rlpIndex } from '../../src/engine/trie.js'
import type { Hex } from '../../src/engine/types.js'
import { bytesToHex } from '../../src/util/hex.js'
import { keccak256 } from '../../src/util/keccak.js'

/**
 * A small Merkle-Patricia trie root builder (Yellow Paper appendix D), enough for the
 * transactions, receipts and withdrawals tries of one block: all entries are known up front,
 * so the trie is built recursively from them instead of by insertion.
 */

/** keccak256(rlp("")): the root of an empty trie. */
export const EMPTY_TRIE_ROOT: Hex = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421'

type Node = Uint8Array | Node[]
type Entry = { key: Uint8Array; value: Uint8Array }

const EMPTY = new Uint8Array(0)

function toNibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2)
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i]! >> 4
    out[2 * i + 1] = key[i]! & 0x0f
  }
  return out
}

/** Hex-prefix encoding of a nibble path with the leaf flag. */
function hexPrefix(path: Uint8Array, leaf: boolean): Uint8Array {
  const odd = path.length % 2
  const out = new Uint8Array(1 + (path.length >> 1))
  const flag = (leaf ? 2 : 0) + odd
  out[0] = (flag << 4) | (odd ? path[0]! : 0)
  for (let i = odd, j = 1; i < path.length; i += 2, j++) out[j] = (path[i]! << 4) | path[i + 1]!
  return out
}

/** How a node is referenced from its parent: inline when its RLP is under 32 bytes, else by hash. */
function reference(node: Node[]): Node {
  const encoded = toRlp(node as never, 'bytes')
  return encoded.length < 32 ? node : keccak256(encoded)
}

function build(entries: Entry[], depth: number): Node[] {
  if (entries.length === 1) {
    const only = entries[0]!
    return [hexPrefix(only.key.subarray(depth), true), only.value]
  }
  // Longest path shared by every entry below `depth` becomes an extension node.
  const first = entries[0]!.key
  let shared = first.length - depth
  for (const e of entries) {
    let i = 0
    const max = Math.min(shared, e.key.length - depth)
    while (i < max && e.key[depth + i] === first[depth + i]) i++
    shared = i
    if (shared === 0) break
  }
  if (shared > 0)
    return [hexPrefix(first.subarray(depth, depth + shared), false), reference(build(entries, depth + shared))]

  const buckets: Entry[][] = Array.from({ length: 16 }, () => [])
  let value: Uint8Array = EMPTY
  for (const e of entries) {
    if (e.key.length === depth) value = e.value
    else buckets[e.key[depth]!]!.push(e)
  }
  const node: Node[] = buckets.map((b) => (b.length === 0 ? EMPTY : reference(build(b, depth + 1))))
  node.push(value)
  return node
}

/** Root of the trie holding `entries` (raw keys, raw values). Keys must be distinct. */
export function trieRoot(entries: readonly { key: Uint8Array; value: Uint8Array }[]): Hex {
  if (entries.length === 0) return EMPTY_TRIE_ROOT
  const seen = new Set<string>()
  const nibbled: Entry[] = entries.map((e) => {
    const k = Buffer.from(e.key).toString('hex')
    if (seen.has(k)) throw new TypeError(`duplicate trie key 0x${k}`)
    seen.add(k)
    return { key: toNibbles(e.key), value: e.value }
  })
  return bytesToHex(keccak256(toRlp(build(nibbled, 0) as never, 'bytes')))
}

/** rlp(i) as bytes: the key of item i in an ordered (list) trie. */
/** Root of the ordered trie of a list: keys rlp(index), values the items' bytes as given. */
export function orderedTrieRoot(values: readonly Uint8Array[]): Hex {
  return trieRoot(values.map((value, i) => ({ key: rlpIndex(i), value })))
}
