import { InvalidParamsError } from '../errors/index.js'
import type { Hex } from '../interop/index.js'
import { hexToBytes } from '../util/hex.js'
import { keccak256 } from '../util/keccak.js'

/** What a sender recovery needs: the signing hash and the 64-byte compact signature with its recovery bit. */
export type SigningData = { signingHash: Uint8Array; signature: Uint8Array; recovery: 0 | 1 }

type Item = { start: number; contentStart: number; end: number }

/**
 * The signing hash and signature of a raw transaction that decodeRawTransaction accepted,
 * read straight from its RLP: the unsigned payload is the same bytes without the last three
 * list items (typed: yParity, r, s), or with v, r, s replaced by chainId, 0, 0 (EIP-155
 * legacy). No decode/re-encode, so an interop transaction pays keccak + one recovery.
 */
export function signingData(raw: Hex): SigningData {
  const tx = hexToBytes(raw)
  const typed = tx[0]! < 0xc0
  const items = listItems(tx, typed ? 1 : 0)
  const n = items.length
  if (n < 4) throw bad()
  const [vItem, rItem, sItem] = [items[n - 3]!, items[n - 2]!, items[n - 1]!]
  const v = uint(tx, vItem)
  const signature = new Uint8Array(64)
  const r = tx.subarray(rItem.contentStart, rItem.end)
  const s = tx.subarray(sItem.contentStart, sItem.end)
  if (r.length > 32 || s.length > 32) throw bad()
  signature.set(r, 32 - r.length)
  signature.set(s, 64 - s.length)
  const fields = tx.subarray(items[0]!.start, vItem.start)
  let payload: Uint8Array
  let recovery: bigint
  if (typed) {
    recovery = v
    payload = concat([tx.subarray(0, 1), listHeader(fields.length), fields])
  } else if (v === 27n || v === 28n) {
    recovery = v - 27n
    payload = concat([listHeader(fields.length), fields])
  } else {
    if (v < 35n) throw bad()
    recovery = (v - 35n) % 2n
    const chainId = encodeUint((v - 35n) / 2n)
    const body = concat([fields, chainId, Uint8Array.of(0x80, 0x80)])
    payload = concat([listHeader(body.length), body])
  }
  if (recovery !== 0n && recovery !== 1n) throw bad()
  return { signingHash: keccak256(payload), signature, recovery: Number(recovery) as 0 | 1 }
}

const bad = () => new InvalidParamsError('invalid transaction v, r, s values')

/** The items of the RLP list at `offset` (which must span the rest of `b`). */
function listItems(b: Uint8Array, offset: number): Item[] {
  const list = header(b, offset)
  if (list.kind !== 'list' || list.end !== b.length) throw bad()
  const items: Item[] = []
  for (let p = list.contentStart; p < list.end; ) {
    const h = header(b, p)
    if (h.end > list.end) throw bad()
    items.push({ start: p, contentStart: h.contentStart, end: h.end })
    p = h.end
  }
  return items
}

function header(b: Uint8Array, p: number): { kind: 'string' | 'list'; contentStart: number; end: number } {
  const h = b[p]
  if (h === undefined) throw bad()
  if (h < 0x80) return { kind: 'string', contentStart: p, end: p + 1 }
  if (h < 0xb8) return { kind: 'string', contentStart: p + 1, end: p + 1 + h - 0x80 }
  if (h < 0xc0) return long('string', b, p, h - 0xb7)
  if (h < 0xf8) return { kind: 'list', contentStart: p + 1, end: p + 1 + h - 0xc0 }
  return long('list', b, p, h - 0xf7)
}

function long(kind: 'string' | 'list', b: Uint8Array, p: number, lenOfLen: number) {
  let len = 0
  for (let i = 1; i <= lenOfLen; i++) len = len * 256 + (b[p + i] ?? 0)
  return { kind, contentStart: p + 1 + lenOfLen, end: p + 1 + lenOfLen + len }
}

function uint(b: Uint8Array, item: Item): bigint {
  let v = 0n
  for (let i = item.contentStart; i < item.end; i++) v = (v << 8n) | BigInt(b[i]!)
  return v
}

function listHeader(len: number): Uint8Array {
  if (len < 56) return Uint8Array.of(0xc0 + len)
  const bytes: number[] = []
  for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l % 256)
  return Uint8Array.of(0xf7 + bytes.length, ...bytes)
}

/** RLP of an unsigned integer (minimal big-endian; 0 is the empty string). */
function encodeUint(v: bigint): Uint8Array {
  if (v === 0n) return Uint8Array.of(0x80)
  const bytes: number[] = []
  for (let x = v; x > 0n; x >>= 8n) bytes.unshift(Number(x & 0xffn))
  if (bytes.length === 1 && bytes[0]! < 0x80) return Uint8Array.of(bytes[0]!)
  return Uint8Array.of(0x80 + bytes.length, ...bytes)
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts)
}
