import { bytesToHex } from '../util/hex.js'
import { keccak256 } from '../util/keccak.js'
import type { Hex } from './types.js'

/**
 * A small Merkle-Patricia trie root builder (Yellow Paper appendix D), enough for the
 * transactions, receipts and withdrawals tries of one block: all entries are known up front, so
 * the trie is built bottom-up from the keys in sorted order instead of by insertion.
 *
 * Hot path (a builder block's transactions root is recomputed for every submission): everything
 * works on bytes. Keys live as nibbles in one arena, entries are visited in key order so every
 * subtree is a contiguous range (the shared prefix of a range is the shared prefix of its first
 * and last key), and each node is RLP-encoded by hand into one reused scratch buffer and hashed
 * from there: one keccak and one 32-byte allocation per hashed node, nothing per nibble.
 */

/** keccak256(rlp("")): the root of an empty trie. */
export const EMPTY_TRIE_ROOT: Hex = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421'

/** Keys in sorted order as nibbles (`nib[off[i] .. off[i] + len[i])`), with their values. */
type Sorted = { nib: Uint8Array; off: Int32Array; len: Int32Array; values: readonly Uint8Array[] }

/** RLP of an empty string: an empty branch slot or an empty branch value. */
const RLP_EMPTY = 0x80

/** Scratch for one node's encoding; grown when a node (a leaf with a big value) does not fit. */
let scratch = new Uint8Array(4096)

function ensure(size: number): Uint8Array {
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, scratch.length * 2))
  return scratch
}

/** Bytes of the big-endian length of `n` (RLP long form). */
function lenOfLen(n: number): number {
  let k = 0
  for (let v = n; v > 0; v = Math.floor(v / 256)) k++
  return k
}

/** Writes an RLP header (0x80 string / 0xc0 list base) for `len` payload bytes at `at`; returns the new offset. */
function writeHeader(buf: Uint8Array, at: number, base: number, len: number): number {
  if (len <= 55) {
    buf[at] = base + len
    return at + 1
  }
  const k = lenOfLen(len)
  buf[at] = base + 55 + k
  for (let i = k, v = len; i > 0; i--, v = Math.floor(v / 256)) buf[at + i] = v & 0xff
  return at + 1 + k
}

const headerSize = (len: number) => (len <= 55 ? 1 : 1 + lenOfLen(len))

/** Size of the RLP string encoding of `b`. */
const stringSize = (b: Uint8Array) => (b.length === 1 && b[0]! < 0x80 ? 1 : headerSize(b.length) + b.length)

function writeString(buf: Uint8Array, at: number, b: Uint8Array): number {
  if (b.length === 1 && b[0]! < 0x80) {
    buf[at] = b[0]!
    return at + 1
  }
  at = writeHeader(buf, at, 0x80, b.length)
  buf.set(b, at)
  return at + b.length
}

/**
 * Writes the RLP string of the hex-prefix encoding of `count` nibbles from `nib[from]` (leaf flag
 * `leaf`) at `at`; returns the new offset. The hex-prefix form is at most 33 bytes for 64 nibbles,
 * so its string header is always one byte (or none for a single byte under 0x80).
 */
function writePath(buf: Uint8Array, at: number, nib: Uint8Array, from: number, count: number, leaf: boolean): number {
  const odd = count & 1
  const size = 1 + (count >> 1)
  const first = (((leaf ? 2 : 0) + odd) << 4) | (odd ? nib[from]! : 0)
  if (size === 1 && first < 0x80) {
    buf[at] = first
    return at + 1
  }
  at = writeHeader(buf, at, 0x80, size)
  buf[at++] = first
  for (let i = from + odd, end = from + count; i < end; i += 2) buf[at++] = (nib[i]! << 4) | nib[i + 1]!
  return at
}

function pathSize(count: number): number {
  const size = 1 + (count >> 1)
  // A one-byte path is [flag<<4 | nibble]: 0x00..0x3f (< 0x80), so it is its own RLP string.
  return size === 1 ? 1 : headerSize(size) + size
}

/**
 * A finished node as its parent embeds it: the 32-byte hash when its encoding is 32 bytes or more,
 * else the encoding itself (an RLP list under 32 bytes, inlined as is). The length tells which.
 */
type Ref = Uint8Array

/** Bytes a reference takes inside its parent (a hash is an RLP string: 0xa0 + 32 bytes). */
const refSize = (r: Ref) => (r.length === 32 ? 33 : r.length)

function writeRef(buf: Uint8Array, at: number, r: Ref): number {
  if (r.length === 32) buf[at++] = 0xa0
  buf.set(r, at)
  return at + r.length
}

/** The reference to the node just encoded in `scratch[0, size)`. */
function finish(size: number): Ref {
  return size < 32 ? scratch.slice(0, size) : keccak256(scratch.subarray(0, size))
}

/** [hp(path, leaf), rlp(value)] */
function leaf(s: Sorted, i: number, depth: number): Ref {
  const count = s.len[i]! - depth
  const value = s.values[i]!
  const payload = pathSize(count) + stringSize(value)
  const buf = ensure(headerSize(payload) + payload)
  let at = writeHeader(buf, 0, 0xc0, payload)
  at = writePath(buf, at, s.nib, s.off[i]! + depth, count, true)
  at = writeString(buf, at, value)
  return finish(at)
}

/** The node for entries [lo, hi) (sorted, ≥ 1), all sharing their first `depth` nibbles. */
function node(s: Sorted, lo: number, hi: number, depth: number): Ref {
  if (hi - lo === 1) return leaf(s, lo, depth)
  const { nib, off, len } = s
  // Sorted keys: the prefix shared by the whole range is the one its first and last key share.
  const a = off[lo]! + depth
  const b = off[hi - 1]! + depth
  const max = Math.min(len[lo]!, len[hi - 1]!) - depth
  let shared = 0
  while (shared < max && nib[a + shared] === nib[b + shared]) shared++
  if (shared > 0) {
    const child = node(s, lo, hi, depth + shared)
    const payload = pathSize(shared) + refSize(child)
    const buf = ensure(headerSize(payload) + payload)
    let at = writeHeader(buf, 0, 0xc0, payload)
    at = writePath(buf, at, nib, a, shared, false)
    at = writeRef(buf, at, child)
    return finish(at)
  }
  // Branch. A key ending here sorts first and becomes the branch value; the rest fall into runs by nibble.
  let value: Uint8Array | undefined
  let i = lo
  if (len[i] === depth) value = s.values[i++]
  const children: (Ref | undefined)[] = new Array(16).fill(undefined)
  while (i < hi) {
    const n = nib[off[i]! + depth]!
    let j = i + 1
    while (j < hi && nib[off[j]! + depth] === n) j++
    children[n] = node(s, i, j, depth + 1)
    i = j
  }
  let payload = value === undefined || value.length === 0 ? 1 : stringSize(value)
  for (const c of children) payload += c === undefined ? 1 : refSize(c)
  const buf = ensure(headerSize(payload) + payload)
  let at = writeHeader(buf, 0, 0xc0, payload)
  for (const c of children) {
    if (c === undefined) buf[at++] = RLP_EMPTY
    else at = writeRef(buf, at, c)
  }
  if (value === undefined || value.length === 0) buf[at++] = RLP_EMPTY
  else at = writeString(buf, at, value)
  return finish(at)
}

/** The root hash of the trie whose root node is `s`'s whole range (the root is hashed even when short). */
function rootOf(s: Sorted): Hex {
  const r = node(s, 0, s.values.length, 0)
  return bytesToHex(r.length === 32 ? r : keccak256(r))
}

function compareBytes(x: Uint8Array, y: Uint8Array): number {
  const n = Math.min(x.length, y.length)
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!
  return x.length - y.length
}

/** Root of the trie holding `entries` (raw keys, raw values). Keys must be distinct. */
export function trieRoot(entries: readonly { key: Uint8Array; value: Uint8Array }[]): Hex {
  const n = entries.length
  if (n === 0) return EMPTY_TRIE_ROOT
  // Byte order is nibble order (a shorter key before the keys it prefixes, in both).
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => compareBytes(entries[x]!.key, entries[y]!.key))
  let total = 0
  for (const e of entries) total += e.key.length * 2
  const nib = new Uint8Array(total)
  const off = new Int32Array(n)
  const len = new Int32Array(n)
  const values: Uint8Array[] = new Array(n)
  let at = 0
  for (let r = 0; r < n; r++) {
    const e = entries[order[r]!]!
    if (r > 0 && compareBytes(entries[order[r - 1]!]!.key, e.key) === 0)
      throw new TypeError(`duplicate trie key ${bytesToHex(e.key)}`)
    off[r] = at
    len[r] = e.key.length * 2
    for (const byte of e.key) {
      nib[at++] = byte >> 4
      nib[at++] = byte & 0x0f
    }
    values[r] = e.value
  }
  return rootOf({ nib, off, len, values })
}

/** rlp(i) as bytes: the key of item i in an ordered (list) trie. */
export function rlpIndex(i: number): Uint8Array {
  if (i === 0) return Uint8Array.of(0x80)
  if (i < 0x80) return Uint8Array.of(i)
  const be: number[] = []
  for (let v = i; v > 0; v = Math.floor(v / 256)) be.unshift(v % 256)
  return Uint8Array.from([0x80 + be.length, ...be])
}

/**
 * Root of the ordered trie of a list: keys rlp(index), values the items' bytes as given.
 * The sorted key order is known without sorting: rlp(1..127) are the bytes 0x01..0x7f, then
 * rlp(0) = 0x80, then 0x81 xx for 128..255, 0x82 xx xx for 256..65535, … each run in index order.
 */
export function orderedTrieRoot(values: readonly Uint8Array[]): Hex {
  const n = values.length
  if (n === 0) return EMPTY_TRIE_ROOT
  // At most 1 + 4 bytes of key for any array length JavaScript allows (< 2^32): 10 nibbles each.
  const nib = new Uint8Array(n * 10)
  const off = new Int32Array(n)
  const len = new Int32Array(n)
  const sorted: Uint8Array[] = new Array(n)
  let r = 0
  const put = (i: number) => {
    const at = r * 10
    off[r] = at
    if (i < 0x80) {
      // rlp(0) = 0x80; rlp(1..127) = the byte itself.
      const byte = i === 0 ? 0x80 : i
      nib[at] = byte >> 4
      nib[at + 1] = byte & 0x0f
      len[r] = 2
    } else {
      const k = i < 0x100 ? 1 : i < 0x10000 ? 2 : i < 0x1000000 ? 3 : 4
      nib[at] = 0x8
      nib[at + 1] = k
      for (let j = k - 1, p = at + 2; j >= 0; j--, p += 2) {
        const byte = (i >>> (8 * j)) & 0xff
        nib[p] = byte >> 4
        nib[p + 1] = byte & 0x0f
      }
      len[r] = 2 + 2 * k
    }
    sorted[r++] = values[i]!
  }
  for (let i = 1; i < Math.min(n, 0x80); i++) put(i)
  put(0)
  for (let i = 0x80; i < n; i++) put(i)
  return rootOf({ nib, off, len, values: sorted })
}
