// Shared by vectors.test.ts and the worker that checks them before initKeccak (fresh module state).
import { accessFor, encodeAccess, type Identifier, logHash, parseAccessList } from '../../src/interop/index.js'
import { bytesToHex, hexToBytes } from '../../src/util/hex.js'
import { keccak256 } from '../../src/util/keccak.js'

const utf8 = (s: string) => new TextEncoder().encode(s)

/** interop.md §6 A (op-core messages_test.go). */
export const ID_A: Identifier = {
  origin: '0xe0e1e2e3e4e5e6e7e8e9f0f1f2f3f4f5f6f7f8f9',
  blockNumber: 0xa1a2a3a4a5a6a7a8n,
  logIndex: 0xb1b2b3b4,
  timestamp: 0xc1c2c3c4c5c6c7c8n,
  chainId: 0xd1d2d3d4d5d6d7d8n,
}
/** §6 B (proxyd integration test identifier). */
export const ID_B: Identifier = {
  origin: '0x7a23c3fc3da9a5364b97e0e4c47e7777bae5c8cd',
  blockNumber: 3519561n,
  timestamp: 1746536469n,
  logIndex: 1,
  chainId: 420120003n,
}
/** §6 C: A with chainID = bytes32{0: 0x07, 31: 0x0a}. */
export const ID_C: Identifier = { ...ID_A, chainId: (0x07n << 248n) | 0x0an }

export const EXPECTED = {
  aPayloadHash: '0x8017559a85b12c04b14a1a425d53486d1015f833714a09bd62f04152a7e2ae9b',
  aLogHash: '0xf9ed05990c887d3f86718aabd7e940faaa75d6a5cd44602e89642586ce85f2aa',
  aChecksum: '0x03749e87fd7789575de9906569deb05aaf220dc4cfab3d8abbfd34a2e1d7d357',
  aLookup: '0x01000000d1d2d3d4d5d6d7d8a1a2a3a4a5a6a7a8c1c2c3c4c5c6c7c8b1b2b3b4',
  aIdLogHash: '0xa7fb136e1e6bfaca4f4994c497b32212e6de9dbd2b9a6e75df85a01574e9ffe8',
  aBareChecksum: '0x0e749e87fd7789575de9906569deb05aaf220dc4cfab3d8abbfd34a2e1d7d357',
  bPayloadHash: '0xacaf3289d7b601cbd114fb36c4d29c85bbfd5e133f14cb355c3fd8d99367964f',
  bLogHash: '0xdc5e54b1101efabdd118c087b9a449a4cc4de56941d409555311cf458b1b8e47',
  bLookup: '0x0100000000000000190a85c3000000000035b44900000000681a081500000001',
  bChecksum: '0x03c68024f5ebb6232677dcaa25cb051cd484ae1ba33fb51df85c09e73c44c775',
  cLookup: '0x01000000000000000000000aa1a2a3a4a5a6a7a8c1c2c3c4c5c6c7c8b1b2b3b4',
  cExtension: '0x0200000000000000070000000000000000000000000000000000000000000000',
  cChecksum: '0x030f3a5f2d8928b9b7f05d95a819aa71d2768ba945ade288d2f6a873f245ede0',
  dTopic: '0x5c37832d2e8d10e346e55ad62071a6a2f9fa5130614ef2ec6617555c6f467ba7',
} as const

export type Vectors = { [K in keyof typeof EXPECTED]: string }

/** Every §6 value, computed through the codec with whichever keccak is active. */
export function computeVectors(): Vectors {
  const aPayload = keccak256(utf8('example payload'))
  const aLog = logHash(hexToBytes(ID_A.origin), aPayload)
  const [aLookup, aChecksum] = encodeAccess(accessFor(ID_A, aPayload))
  // the intermediates of the checksum algorithm, recomputed step by step (interop.md §1.5)
  const idPacked = hexToBytes('0x000000000000000000000000a1a2a3a4a5a6a7a8c1c2c3c4c5c6c7c8b1b2b3b4')
  const aIdLogHash = keccak256(Buffer.concat([aLog, idPacked]))
  const aBare = keccak256(Buffer.concat([aIdLogHash, hexToBytes(ID_A.chainId.toString(16).padStart(64, '0'))]))
  const bPayload = keccak256(utf8('Hello, World!'))
  const [bLookup, bChecksum] = encodeAccess(accessFor(ID_B, bPayload))
  const [cLookup, cExtension, cChecksum] = encodeAccess(accessFor(ID_C, aPayload))
  // parse what was encoded, so the parser is exercised under both implementations too
  const parsed = parseAccessList([aLookup!, aChecksum!, bLookup!, bChecksum!, cLookup!, cExtension!, cChecksum!])
  if (parsed.length !== 3 || parsed[2]!.chainId !== ID_C.chainId) throw new Error('vector round trip failed')
  return {
    aPayloadHash: bytesToHex(aPayload),
    aLogHash: bytesToHex(aLog),
    aChecksum: aChecksum!,
    aLookup: aLookup!,
    aIdLogHash: bytesToHex(aIdLogHash),
    aBareChecksum: bytesToHex(aBare),
    bPayloadHash: bytesToHex(bPayload),
    bLogHash: bytesToHex(logHash(hexToBytes(ID_B.origin), bPayload)),
    bLookup: bLookup!,
    bChecksum: bChecksum!,
    cLookup: cLookup!,
    cExtension: cExtension!,
    cChecksum: cChecksum!,
    dTopic: bytesToHex(keccak256(utf8('ExecutingMessage(bytes32,(address,uint256,uint256,uint256,uint256))'))),
  }
}
