import { privateKeyToAccount } from 'viem/accounts'
import { computeBlockHash, transactionsRoot } from '../../src/engine/blockHash.js'
import type { ExecutionPayloadV3, Hex } from '../../src/engine/types.js'
import { hexToBytes } from '../../src/util/hex.js'
import { initKeccak, keccak256, keccakImplementation } from '../../src/util/keccak.js'
import { ratio, report } from '../_harness.js'
import { orderedTrieRoot as oldOrderedTrieRoot } from './_oldTrie.js'

// Transactions root of 100 / 1000 / 5000 real signed transactions (what a cheap check recomputes for
// every builder submission), the byte-level trie (src/engine/trie.ts) against the previous one
// (bench/engine/_oldTrie.ts, commit 8f6cee7), both from the hex strings a payload carries, rounds
// interleaved in one process so both see the same machine. Also the whole block hash (trie + header).
await initKeccak()
if (keccakImplementation() !== 'wasm') throw new Error('WASM keccak did not load')

const SIZES = [100, 1000, 5000]
const MAX = Math.max(...SIZES)
const accounts = Array.from({ length: 4 }, (_, i) =>
  privateKeyToAccount(`0x${(i + 1).toString(16).padStart(64, '0')}` as Hex),
)
const txs: Hex[] = []
const signStart = performance.now()
for (let i = 0; i < MAX; i++) {
  const acct = accounts[i % accounts.length]!
  const nonce = Math.floor(i / accounts.length)
  // Mostly transfers, every 5th with 100–400 bytes of calldata (two keccak blocks per leaf), as a busy block.
  const data: Hex | undefined = i % 5 === 4 ? `0x${'ab'.repeat(100 + (i % 300))}` : undefined
  txs.push(
    await acct.signTransaction({
      type: 'eip1559',
      chainId: 901,
      nonce,
      to: '0x000000000000000000000000000000000000beef',
      value: BigInt(i + 1),
      gas: data ? 60_000n : 21_000n,
      maxFeePerGas: 50_000_000_000n,
      maxPriorityFeePerGas: BigInt(1 + (i % 7)) * 1_000_000_000n,
      ...(data ? { data } : {}),
    }),
  )
}
const signS = (performance.now() - signStart) / 1000

const oldRoot = (list: readonly Hex[]) => oldOrderedTrieRoot(list.map(hexToBytes))
const h32 = (b: number): Hex => `0x${b.toString(16).padStart(2, '0').repeat(32)}`
const payloadOf = (list: Hex[]): ExecutionPayloadV3 => ({
  parentHash: h32(1),
  feeRecipient: '0x4200000000000000000000000000000000000011',
  stateRoot: h32(2),
  receiptsRoot: h32(3),
  logsBloom: `0x${'00'.repeat(256)}`,
  prevRandao: h32(4),
  blockNumber: '0x10',
  gasLimit: '0x1c9c380',
  gasUsed: '0x5208',
  timestamp: '0x6870a1b2',
  extraData: '0x00000000fa00000006',
  baseFeePerGas: '0x3b9aca00',
  blockHash: h32(0),
  transactions: list,
  withdrawals: [],
  blobGasUsed: '0x0',
  excessBlobGas: '0x0',
  withdrawalsRoot: h32(5),
})

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const ms3 = (x: number) => Math.round(x * 1000) / 1000

/** ms per call of `f`, one timing per round. */
function time(f: () => unknown, reps: number): number {
  const t = performance.now()
  for (let i = 0; i < reps; i++) f()
  return (performance.now() - t) / reps
}

const results: Record<string, unknown> = {}
for (const n of SIZES) {
  const list = txs.slice(0, n)
  const newR = transactionsRoot(list)
  if (oldRoot(list) !== newR) throw new Error(`roots differ at ${n} transactions`)
  const payload = payloadOf(list)
  const reps = Math.max(3, Math.round(20_000 / n))
  const oldReps = Math.max(2, Math.round(reps / 4))
  for (let i = 0; i < 3; i++) {
    transactionsRoot(list)
    oldRoot(list)
    computeBlockHash(payload, h32(9), [])
  } // warm-up
  const newMs: number[] = []
  const oldMs: number[] = []
  const hashMs: number[] = []
  const floorMs: number[] = []
  for (let round = 0; round < 9; round++) {
    newMs.push(time(() => transactionsRoot(list), reps))
    oldMs.push(time(() => oldRoot(list), oldReps))
    hashMs.push(time(() => computeBlockHash(payload, h32(9), []), reps))
    // What no trie can avoid: decoding the hex and one keccak per transaction (each leaf holds one).
    floorMs.push(
      time(() => {
        for (const t of list) keccak256(hexToBytes(t))
      }, reps),
    )
  }
  results[`txs${n}`] = {
    newMs: ms3(median(newMs)),
    newMinMs: ms3(Math.min(...newMs)),
    oldMs: ms3(median(oldMs)),
    oldMinMs: ms3(Math.min(...oldMs)),
    ratioNewOld: ratio(median(newMs), median(oldMs)),
    blockHashMs: ms3(median(hashMs)),
    floorMs: ms3(median(floorMs)),
    perTxUs: Math.round((median(newMs) / n) * 1000 * 100) / 100,
  }
}
report('engine.txRoot', {
  ...results,
  rounds: 9,
  signS: Math.round(signS * 10) / 10,
  note: 'median ms per root (hex in, root out); old = commit 8f6cee7 trie; floorMs = hex decode + one keccak per transaction',
})
