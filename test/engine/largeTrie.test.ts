import { createHash } from 'node:crypto'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import {
  computeBlockHash,
  type ExecutionPayloadV3,
  type Hex,
  orderedTrieRoot,
  transactionsRoot,
  trieRoot,
} from '../../src/engine/index.js'
import { initKeccak, keccakImplementation } from '../../src/util/keccak.js'
import type { AnvilBlock } from './_anvilBlocks.js'

/**
 * Large tries, where the byte-level builder's range logic (sorted ranges, 1-, 2- and 3-byte rlp
 * index keys, long leaves, inline nodes) matters. Two kinds of reference: a real 5000-transaction
 * block from anvil, and roots of deterministic synthetic tries computed once with the previous
 * implementation (commit 8f6cee7, viem toRlp over node arrays; kept in bench/engine/_oldTrie.ts).
 */

let anvil: Anvil
test.before(async () => {
  await initKeccak()
  anvil = await startAnvil({ chainId: 903, args: ['--no-mining', '--gas-limit', '200000000'] })
})
test.after(async () => {
  await anvil?.stop()
})

/** Deterministic pseudo-random bytes: sha256 chained from a label. */
function bytes(label: string, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let block = createHash('sha256').update(label).digest()
  for (let at = 0; at < length; at += 32) {
    out.set(block.subarray(0, Math.min(32, length - at)), at)
    block = createHash('sha256').update(block).digest()
  }
  return out
}

/** Value lengths that exercise every encoding: one byte < 0x80 (own string), short, 55/56 (long header), > 255, > 64 KiB. */
const LENGTHS = [1, 3, 20, 31, 32, 55, 56, 120, 300, 1000]
function value(i: number): Uint8Array {
  if (i === 4321) return bytes(`v${i}`, 70_000)
  const v = bytes(`v${i}`, LENGTHS[i % LENGTHS.length]!)
  if (v.length === 1) v[0]! &= 0x7f
  return v
}

/** JSON-RPC batch to anvil. */
async function batch<T>(calls: { method: string; params: unknown[] }[]): Promise<T[]> {
  const res = await fetch(anvil.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(calls.map((c, id) => ({ jsonrpc: '2.0', id, ...c }))),
  })
  const body = (await res.json()) as { id: number; result?: T; error?: { message: string } }[]
  body.sort((a, b) => a.id - b.id)
  for (const b of body) if (b.error) throw new Error(`${calls[b.id]!.method}: ${b.error.message}`)
  return body.map((b) => b.result as T)
}

/** Roots from the previous implementation (see above), for the same inputs. */
const OLD = {
  ordered5000: '0x35703078944966701878829c2af31ac002df415e11dcf9daf527d45298c59773',
  small3000: '0x0bda4fefb7d9cf4345fd8f4c87a937d90e01ab8f3d49e7371a4dcb1f32910bd5',
  prefix: {
    1: '0x0c6c0e36f63e44856ee063dbf497da186454b1a857b286686461207698a894c5',
    2: '0x8b082d5093c565523747e2a678cd9135779959382743082e069fa327dff4229c',
    16: '0xb87f46e67a9699d9386b64b46559b79d1eb414b30dd3a4add88419882b343c20',
    17: '0x9b4eb9726ad72b14c1e675a0d92862d4b3ad4a90c7af52939b8c87ec70a67ccc',
    127: '0x8fa60b99fbeb91bcd84f3219d5fc553b1745b029281cc9c9a3bde9cc7668a5c8',
    128: '0xc5a61853808ebaa4de03fa8ca6691cc181350c932bdf753eac9225ddca3c18fd',
    129: '0x8173a1c65b984a002afb74d72b31b6daa54a7c38acf34286974bf11963974b72',
    255: '0xe15ccce1ad0739337ec33cd4305b6024d61225d79afdf5d722e776e6382629c9',
    256: '0xf69c17cd6438b8cf8305691f6a4df46236de5bfeec905c0bb81a8a3501be9de7',
    257: '0x18067ffe190a54f759c01cc58b834e18090b945ca3bc0eeb642b14ba14fb7416',
  } as Record<number, Hex>,
  hashed5000: '0x2af8e7fc13c556e614ef2697fde394f4bcf8e4e7eb13e691aec7eeba2ae64c98',
  nested2000: '0xe18bb63241907d795850ffd317923401a0b97d1d7f596272dd7166504b1588fe',
}

test('ordered trie of 5000 synthetic items of every length matches the previous implementation', () => {
  const values = Array.from({ length: 5000 }, (_, i) => value(i))
  assert.is(orderedTrieRoot(values), OLD.ordered5000)
  // Short items: most leaves are under 32 bytes and inlined into their branch.
  const small = Array.from({ length: 3000 }, (_, i) => bytes(`s${i}`, 1 + (i % 4)))
  assert.is(orderedTrieRoot(small), OLD.small3000)
  // Every list length around the branch and key-width boundaries.
  for (const [n, root] of Object.entries(OLD.prefix))
    assert.is(orderedTrieRoot(values.slice(0, Number(n))), root, `first ${n}`)
})

test('generic trie of 5000 random 32-byte keys and of nested prefix keys matches the previous implementation', () => {
  const hashed = Array.from({ length: 5000 }, (_, i) => ({ key: bytes(`k${i}`, 32), value: value(i) }))
  assert.is(trieRoot(hashed), OLD.hashed5000)
  // 200 key families of lengths 1..10, each key a prefix of the longer ones (branch values); the order given does not matter.
  const nested = Array.from({ length: 2000 }, (_, i) => ({
    key: Uint8Array.of(i % 200, ...bytes(`p${i % 200}`, Math.floor(i / 200))),
    value: value(i + 7),
  }))
  assert.is(trieRoot(nested), OLD.nested2000)
  assert.is(trieRoot([...nested].reverse()), OLD.nested2000)
  assert.throws(() => trieRoot([...hashed.slice(0, 10), { key: hashed[3]!.key, value: Uint8Array.of(1) }]), /duplicate/)
})

test('a 5000-transaction anvil block: transactionsRoot and block hash match (1-, 2- and 3-byte index keys)', async () => {
  assert.is(keccakImplementation(), 'wasm')
  const [from, to] = (await batch<Hex[]>([{ method: 'eth_accounts', params: [] }]))[0]!
  const N = 5000
  for (let start = 0; start < N; start += 250) {
    await batch(
      Array.from({ length: Math.min(250, N - start) }, (_, k) => {
        const i = start + k
        const base = { from, to, nonce: `0x${i.toString(16)}`, gas: '0x5208', value: `0x${(i + 1).toString(16)}` }
        return {
          method: 'eth_sendTransaction',
          params: [
            i % 3 === 0
              ? { ...base, type: '0x0', gasPrice: '0x77359400' }
              : {
                  ...base,
                  type: '0x2',
                  maxFeePerGas: '0x77359400',
                  maxPriorityFeePerGas: `0x${(1 + (i % 7)).toString(16)}`,
                },
          ],
        }
      }),
    )
  }
  await batch([{ method: 'evm_mine', params: [] }])
  const block = (await batch<AnvilBlock>([{ method: 'eth_getBlockByNumber', params: ['latest', false] }]))[0]!
  assert.is(block.transactions.length, N)
  const raw: Hex[] = []
  for (let start = 0; start < N; start += 500) {
    raw.push(
      ...(await batch<Hex>(
        block.transactions
          .slice(start, start + 500)
          .map((h) => ({ method: 'eth_getRawTransactionByHash', params: [h] })),
      )),
    )
  }
  assert.is(transactionsRoot(raw), block.transactionsRoot)
  const b = block as Record<string, Hex>
  const payload: ExecutionPayloadV3 = {
    parentHash: b.parentHash!,
    feeRecipient: b.miner!,
    stateRoot: b.stateRoot!,
    receiptsRoot: b.receiptsRoot!,
    logsBloom: b.logsBloom!,
    prevRandao: b.mixHash!,
    blockNumber: b.number!,
    gasLimit: b.gasLimit!,
    gasUsed: b.gasUsed!,
    timestamp: b.timestamp!,
    extraData: b.extraData!,
    baseFeePerGas: b.baseFeePerGas!,
    blockHash: b.hash!,
    transactions: raw,
    withdrawals: block.withdrawals as ExecutionPayloadV3['withdrawals'],
    blobGasUsed: b.blobGasUsed!,
    excessBlobGas: b.excessBlobGas!,
  }
  assert.is(computeBlockHash(payload, block.parentBeaconBlockRoot, []), block.hash)
})

test.run()
