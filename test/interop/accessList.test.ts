import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  type Access,
  AccessListParseError,
  accessKey,
  CROSS_L2_INBOX,
  dedupeAccesses,
  encodeAccess,
  encodeAccessList,
  type Hex,
  inboxEntries,
  MAX_UINT32,
  MAX_UINT64,
  MAX_UINT256,
  parseAccessList,
} from '../../src/interop/index.js'
import { EXPECTED } from './_vectors.js'

const LOOKUP_A = EXPECTED.aLookup as Hex
const CHECKSUM_A = EXPECTED.aChecksum as Hex
const ACCESS_A: Access = {
  chainId: 0xd1d2d3d4d5d6d7d8n,
  blockNumber: 0xa1a2a3a4a5a6a7a8n,
  timestamp: 0xc1c2c3c4c5c6c7c8n,
  logIndex: 0xb1b2b3b4,
  checksum: CHECKSUM_A,
}

/** An entry with `type` in byte 0 and the given bytes set (Go test style `{0: 1, 5: 3}`). */
function entry(bytes: Record<number, number>): Hex {
  const b = new Uint8Array(32)
  for (const [i, v] of Object.entries(bytes)) b[Number(i)] = v
  return `0x${Buffer.from(b).toString('hex')}`
}
/** Replaces byte `i` of a 32-byte hex entry. */
function withByte(e: string, i: number, v: number): Hex {
  return `0x${e.slice(2, 2 + i * 2)}${v.toString(16).padStart(2, '0')}${e.slice(4 + i * 2)}`
}

function parseError(entries: readonly unknown[]): string {
  try {
    parseAccessList(entries)
  } catch (err) {
    assert.instance(err, AccessListParseError)
    return (err as Error).message
  }
  throw new assert.Assertion({
    message: 'expected parseAccessList to throw',
    operator: 'throws',
    generated: true,
    expects: 'AccessListParseError',
    actual: 'no error',
  })
}

// --- §6 A and the Go test assertions ---

test('vector A: [lookup, checksum] parses to its access and encodes back', () => {
  assert.equal(parseAccessList([LOOKUP_A, CHECKSUM_A]), [ACCESS_A])
  assert.equal(encodeAccessList([ACCESS_A]), [LOOKUP_A, CHECKSUM_A])
  assert.equal(encodeAccess(ACCESS_A), [LOOKUP_A, CHECKSUM_A])
})

test('a repeated pair parses twice (entries may be duplicated)', () => {
  assert.equal(parseAccessList([LOOKUP_A, CHECKSUM_A, LOOKUP_A, CHECKSUM_A]), [ACCESS_A, ACCESS_A])
})

test('{0:1},{0:3} is an all-zero access with checksum 0x03 00…00', () => {
  assert.equal(parseAccessList([entry({ 0: 1 }), entry({ 0: 3 })]), [
    { chainId: 0n, blockNumber: 0n, timestamp: 0n, logIndex: 0, checksum: `0x03${'00'.repeat(31)}` },
  ])
})

test('no entries parse to no accesses', () => {
  assert.equal(parseAccessList([]), [])
})

test('type 0 and type 10 first entries: unexpected entry type', () => {
  assert.is(parseError([entry({ 0: 0 }), CHECKSUM_A]), 'expected lookup, got entry type 0: unexpected entry type')
  assert.is(parseError([entry({ 0: 10 }), CHECKSUM_A]), 'expected lookup, got entry type 10: unexpected entry type')
  assert.is(parseError([entry({ 0: 0xff })]), 'expected lookup, got entry type 255: unexpected entry type')
})

test('lookup with a non-zero byte 1, 2 or 3: malformed entry', () => {
  for (const i of [1, 2, 3])
    assert.is(parseError([withByte(LOOKUP_A, i, 1), CHECKSUM_A]), 'expected zero bytes: malformed entry', `byte ${i}`)
})

test('lookup byte 4 is already chain id, not padding', () => {
  const [a] = parseAccessList([withByte(LOOKUP_A, 4, 0x01), CHECKSUM_A])
  assert.is(a!.chainId, 0x01d2d3d4d5d6d7d8n)
})

test('extension with a non-zero byte 1..7: malformed entry', () => {
  for (let i = 1; i <= 7; i++)
    assert.is(
      parseError([LOOKUP_A, withByte(EXPECTED.cExtension, i, 0x80), CHECKSUM_A]),
      'expected zero bytes: malformed entry',
      `byte ${i}`,
    )
})

test('extension byte 8 is the top byte of the chain id', () => {
  const [a] = parseAccessList([entry({ 0: 1 }), entry({ 0: 2, 8: 0xff }), entry({ 0: 3 })])
  assert.is(a!.chainId, 0xffn << 248n)
})

test('lookup without checksum: expected entry', () => {
  assert.is(parseError([LOOKUP_A]), 'expected entry')
  assert.is(parseError([LOOKUP_A, CHECKSUM_A, LOOKUP_A]), 'expected entry')
  assert.is(parseError([EXPECTED.cLookup, EXPECTED.cExtension]), 'expected entry')
})

test('lookup followed by lookup: unexpected entry type', () => {
  assert.is(parseError([LOOKUP_A, LOOKUP_A]), 'expected checksum, got entry type 1: unexpected entry type')
})

test('lookup, extension, extension: expected checksum', () => {
  assert.is(
    parseError([EXPECTED.cLookup, EXPECTED.cExtension, EXPECTED.cExtension]),
    'expected checksum, got entry type 2: unexpected entry type',
  )
})

test('lookup then a type 0 entry: expected checksum', () => {
  assert.is(parseError([LOOKUP_A, entry({ 0: 0 })]), 'expected checksum, got entry type 0: unexpected entry type')
})

test('a lone extension or checksum: expected lookup', () => {
  assert.is(parseError([EXPECTED.cExtension]), 'expected lookup, got entry type 2: unexpected entry type')
  assert.is(parseError([EXPECTED.cExtension, CHECKSUM_A]), 'expected lookup, got entry type 2: unexpected entry type')
  assert.is(parseError([CHECKSUM_A]), 'expected lookup, got entry type 3: unexpected entry type')
})

test('an error after a good access still fails the whole list', () => {
  assert.is(parseError([LOOKUP_A, CHECKSUM_A, CHECKSUM_A]), 'expected lookup, got entry type 3: unexpected entry type')
})

test('non-hex, wrong-length and non-string entries are refused with their index', () => {
  const bad: unknown[] = [
    `0x${'zz'.repeat(32)}`,
    // A bad digit anywhere, not only in the type byte; the prefix is 0x, lower-case only.
    `${LOOKUP_A.slice(0, 65)}g`,
    `${LOOKUP_A.slice(0, 40)} ${LOOKUP_A.slice(41)}`,
    `0X${LOOKUP_A.slice(2)}`,
    `0x${'01'.repeat(31)}`,
    `0x${'01'.repeat(33)}`,
    LOOKUP_A.slice(2),
    `${LOOKUP_A}0`,
    '',
    '0x',
    1,
    null,
    undefined,
    { x: 1 },
    [LOOKUP_A],
    BigInt(1),
  ]
  for (const b of bad) {
    assert.is(parseError([b, CHECKSUM_A]), 'entry 0 is not a 32-byte hex string', String(b))
    assert.is(parseError([LOOKUP_A, b]), 'entry 1 is not a 32-byte hex string', String(b))
    assert.is(parseError([EXPECTED.cLookup, EXPECTED.cExtension, b]), 'entry 2 is not a 32-byte hex string', String(b))
    assert.is(parseError([LOOKUP_A, CHECKSUM_A, b, CHECKSUM_A]), 'entry 2 is not a 32-byte hex string', String(b))
  }
})

test('upper-case hex parses; the checksum comes back lower-case', () => {
  const [a] = parseAccessList([`0x${LOOKUP_A.slice(2).toUpperCase()}`, `0x${CHECKSUM_A.slice(2).toUpperCase()}`])
  assert.equal(a, ACCESS_A)
})

test('the parser does not verify checksums (out-of-protocol hint only)', () => {
  const [a] = parseAccessList([LOOKUP_A, entry({ 0: 3, 31: 1 })])
  assert.is(a!.checksum, `0x03${'00'.repeat(30)}01`)
})

// --- chain ids beyond uint64 ---

test('vector C: the extension carries the upper 24 bytes', () => {
  const [a] = parseAccessList([EXPECTED.cLookup, EXPECTED.cExtension, EXPECTED.cChecksum])
  assert.is(a!.chainId, (0x07n << 248n) | 0x0an)
  assert.is(a!.blockNumber, 0xa1a2a3a4a5a6a7a8n)
  assert.is(a!.logIndex, 0xb1b2b3b4)
  assert.is(a!.timestamp, 0xc1c2c3c4c5c6c7c8n)
})

test('chain ids up to uint256 max round-trip; the extension appears only above uint64', () => {
  const cases: [bigint, number][] = [
    [0n, 2],
    [1n, 2],
    [MAX_UINT64, 2],
    [MAX_UINT64 + 1n, 3],
    [1n << 65n, 3],
    [(1n << 64n) + 5n, 3],
    [1n << 128n, 3],
    [(1n << 192n) - 1n, 3],
    [1n << 255n, 3],
    [MAX_UINT256 - 1n, 3],
    [MAX_UINT256, 3],
  ]
  for (const [chainId, count] of cases) {
    const access = { ...ACCESS_A, chainId }
    const entries = encodeAccess(access)
    assert.is(entries.length, count, `entries for ${chainId}`)
    assert.equal(parseAccessList(entries), [access], `round trip ${chainId}`)
  }
})

test('uint256 max encodes as all-ones lookup chain bits and extension', () => {
  const [lookup, ext] = encodeAccess({ ...ACCESS_A, chainId: MAX_UINT256 })
  assert.is(lookup!.slice(10, 26), 'f'.repeat(16))
  assert.is(ext, `0x0200000000000000${'f'.repeat(48)}`)
})

test('largest block number, timestamp and log index round-trip', () => {
  const access = { ...ACCESS_A, blockNumber: MAX_UINT64, timestamp: MAX_UINT64, logIndex: MAX_UINT32 }
  assert.equal(parseAccessList(encodeAccess(access)), [access])
})

test('encodeAccess refuses values outside the encoding', () => {
  const bad: [Partial<Access>, RegExp][] = [
    [{ blockNumber: MAX_UINT64 + 1n }, /block number/],
    [{ blockNumber: -1n }, /block number/],
    [{ timestamp: MAX_UINT64 + 1n }, /timestamp/],
    [{ timestamp: -1n }, /timestamp/],
    [{ logIndex: MAX_UINT32 + 1 }, /log index/],
    [{ logIndex: -1 }, /log index/],
    [{ logIndex: 1.5 }, /log index/],
    [{ chainId: MAX_UINT256 + 1n }, /chain id/],
    [{ chainId: -1n }, /chain id/],
  ]
  for (const [patch, re] of bad)
    assert.throws(
      () => encodeAccess({ ...ACCESS_A, ...patch }),
      (e: Error) => e instanceof RangeError && re.test(e.message),
    )
})

test('encodeAccessList concatenates in order, with extensions where needed', () => {
  const c = { ...ACCESS_A, chainId: (0x07n << 248n) | 0x0an, checksum: EXPECTED.cChecksum as Hex }
  const list = encodeAccessList([ACCESS_A, c, ACCESS_A])
  assert.equal(list, [
    LOOKUP_A,
    CHECKSUM_A,
    EXPECTED.cLookup,
    EXPECTED.cExtension,
    EXPECTED.cChecksum,
    LOOKUP_A,
    CHECKSUM_A,
  ])
  assert.equal(parseAccessList(list), [ACCESS_A, c, ACCESS_A])
  assert.equal(encodeAccessList([]), [])
})

// --- de-duplication ---

test('dedupeAccesses keeps first occurrences in order', () => {
  const b = { ...ACCESS_A, logIndex: 1 }
  const c = { ...ACCESS_A, blockNumber: 2n }
  assert.equal(dedupeAccesses([ACCESS_A, b, ACCESS_A, c, b, { ...ACCESS_A }]), [ACCESS_A, b, c])
  assert.equal(dedupeAccesses([]), [])
})

test('dedupeAccesses treats every field as identity', () => {
  const variants: Access[] = [
    ACCESS_A,
    { ...ACCESS_A, chainId: 1n },
    { ...ACCESS_A, blockNumber: 1n },
    { ...ACCESS_A, timestamp: 1n },
    { ...ACCESS_A, logIndex: 1 },
    { ...ACCESS_A, checksum: EXPECTED.bChecksum as Hex },
  ]
  assert.is(dedupeAccesses(variants).length, variants.length)
  assert.is(new Set(variants.map(accessKey)).size, variants.length)
})

test('accessKey is chain/block/logIndex/timestamp/checksum', () => {
  assert.is(
    accessKey({ chainId: 10n, blockNumber: 2n, timestamp: 3n, logIndex: 4, checksum: '0x03ab' }),
    '10/2/4/3/0x03ab',
  )
})

// --- inbox entries from a transaction access list ---

test('inboxEntries joins only CrossL2Inbox keys, in order, address case-insensitive', () => {
  const k = (n: number) => entry({ 0: n }) as string
  const list = [
    { address: CROSS_L2_INBOX, storageKeys: [k(1), k(3)] },
    { address: '0x4200000000000000000000000000000000000023', storageKeys: [k(9)] },
    { address: '0x0000000000000000000000000000000000000022', storageKeys: [k(8)] },
    { address: CROSS_L2_INBOX.toUpperCase().replace('0X', '0x'), storageKeys: [k(4)] },
    { address: CROSS_L2_INBOX, storageKeys: [] },
    { address: CROSS_L2_INBOX, storageKeys: [k(5), k(6)] },
  ]
  assert.equal(inboxEntries(list), [k(1), k(3), k(4), k(5), k(6)])
})

test('inboxEntries of a missing or foreign-only access list is empty', () => {
  assert.equal(inboxEntries(undefined), [])
  assert.equal(inboxEntries([]), [])
  assert.equal(inboxEntries([{ address: '0x4200000000000000000000000000000000000023', storageKeys: [LOOKUP_A] }]), [])
})

test.run()
