import { EMPTY_OMMERS_HASH, EMPTY_REQUESTS_HASH, scalarBytes } from '../../src/engine/blockHash.js'
import { type BlockHeader, encodeHeader } from '../../src/engine/headerRlp.js'
import { hashHeader } from '../../src/engine/index.js'
import { rlpEncode } from '../../src/engine/rlp.js'
import type { Hex } from '../../src/engine/types.js'
import { bytesToHex, hexToBytes } from '../../src/util/hex.js'
import { initKeccak, keccak256, keccakImplementation } from '../../src/util/keccak.js'
import { ratio, report } from '../_harness.js'

// keccak(rlp(header)) of a Prague/Isthmus header, as every builder submission pays it: the direct
// encoder (src/engine/headerRlp.ts, one reused buffer) against the generic one it replaced (a
// Uint8Array per field through src/engine/rlp.ts), rounds interleaved in one process.
//   ROUNDS=5 N=200000 node dist/bench/engine/headerRlp.bench.js
await initKeccak()
if (keccakImplementation() !== 'wasm') throw new Error('WASM keccak did not load')
const ROUNDS = Number(process.env.ROUNDS ?? 5)
const N = Number(process.env.N ?? 200_000)

const h32 = (b: number): Hex => `0x${b.toString(16).padStart(2, '0').repeat(32)}`
const header: BlockHeader = {
  parentHash: h32(1),
  ommersHash: EMPTY_OMMERS_HASH,
  beneficiary: '0x4200000000000000000000000000000000000011',
  stateRoot: h32(2),
  transactionsRoot: h32(3),
  receiptsRoot: h32(4),
  logsBloom: `0x${'00'.repeat(200)}${'ff'.repeat(56)}`,
  difficulty: 0n,
  number: 12_345_678n,
  gasLimit: 60_000_000n,
  gasUsed: 21_000_000n,
  timestamp: 1_765_000_000n,
  extraData: '0x00000000fa00000006',
  mixHash: h32(5),
  nonce: '0x0000000000000000',
  baseFeePerGas: 1_000_252n,
  withdrawalsRoot: h32(6),
  blobGasUsed: 0n,
  excessBlobGas: 0n,
  parentBeaconBlockRoot: h32(7),
  requestsHash: EMPTY_REQUESTS_HASH,
}

/** The encoder before: one Uint8Array per field, then rlp.ts's length and write passes. */
function genericHash(h: BlockHeader): Hex {
  const b = hexToBytes
  const s = scalarBytes
  const fields = [
    b(h.parentHash),
    b(h.ommersHash),
    b(h.beneficiary),
    b(h.stateRoot),
    b(h.transactionsRoot),
    b(h.receiptsRoot),
    b(h.logsBloom),
    s(h.difficulty),
    s(h.number),
    s(h.gasLimit),
    s(h.gasUsed),
    s(h.timestamp),
    b(h.extraData),
    b(h.mixHash),
    b(h.nonce),
    s(h.baseFeePerGas),
    b(h.withdrawalsRoot!),
    s(h.blobGasUsed!),
    s(h.excessBlobGas!),
    b(h.parentBeaconBlockRoot!),
    b(h.requestsHash!),
  ]
  return bytesToHex(keccak256(rlpEncode(fields)))
}

if (genericHash(header) !== hashHeader(header)) throw new Error('direct and generic header hashes differ')
if (bytesToHex(encodeHeader(header)) === '0x') throw new Error('empty encoding')

function usPerHeader(fn: (h: BlockHeader) => Hex): number {
  const start = performance.now()
  for (let i = 0; i < N; i++) fn(header)
  return ((performance.now() - start) * 1000) / N
}
const generic: number[] = []
const direct: number[] = []
for (let r = 0; r < ROUNDS; r++) {
  generic.push(usPerHeader(genericHash))
  direct.push(usPerHeader(hashHeader))
}
const best = (xs: number[]) => Number(Math.min(...xs).toFixed(2))
report('engine.headerRlp', {
  usPerHeader: { generic: best(generic), direct: best(direct) },
  directVsGeneric: ratio(best(direct), best(generic)),
  rounds: { generic: generic.map((x) => Number(x.toFixed(2))), direct: direct.map((x) => Number(x.toFixed(2))) },
  config: { rounds: ROUNDS, headers: N },
})
