import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { numberToHex, toRlp, keccak256 as viemKeccak } from 'viem'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import {
  type BlockHeader,
  computeBlockHash,
  EMPTY_REQUESTS_HASH,
  EMPTY_TRIE_ROOT,
  type ExecutionPayloadV3,
  encodeHeader,
  type Hex,
  hashHeader,
  headerFromPayload,
  orderedTrieRoot,
  payloadToBlockSummary,
  requestsHash,
  rlpIndex,
  transactionsRoot,
  trieRoot,
  withdrawalsRoot,
} from '../../src/engine/index.js'
import { bytesToHex } from '../../src/util/hex.js'
import { initKeccak } from '../../src/util/keccak.js'
import { anvilPayload, rpc } from './_anvilBlocks.js'

const utf8 = (s: string) => new TextEncoder().encode(s)
let prague: Anvil
let cancun: Anvil

test.before(async () => {
  await initKeccak()
  ;[prague, cancun] = await Promise.all([
    startAnvil({ chainId: 901, args: ['--no-mining'] }),
    startAnvil({ chainId: 902, args: ['--no-mining', '--hardfork', 'cancun'] }),
  ])
})
test.after(async () => {
  await Promise.all([prague?.stop(), cancun?.stop()])
})

/** Queues `count` transactions of mixed types (legacy, EIP-2930, EIP-1559, create, long calldata) and mines one block. */
async function mineMixedBlock(url: string, count: number): Promise<void> {
  const [from, other] = await rpc<Hex[]>(url, 'eth_accounts')
  const nonce = BigInt(await rpc<Hex>(url, 'eth_getTransactionCount', [from, 'pending']))
  for (let i = 0; i < count; i++) {
    const base = { from, nonce: `0x${(nonce + BigInt(i)).toString(16)}`, gas: '0x30d40' }
    const kind = i % 5
    const tx =
      kind === 0
        ? { ...base, to: other, value: '0x1', type: '0x0', gasPrice: '0x77359400' }
        : kind === 1
          ? {
              ...base,
              to: other,
              value: '0x2',
              type: '0x1',
              gasPrice: '0x77359400',
              accessList: [{ address: other, storageKeys: [`0x${'00'.repeat(31)}01`] }],
            }
          : kind === 2
            ? { ...base, to: other, value: '0x3', type: '0x2', maxFeePerGas: '0x77359400', maxPriorityFeePerGas: '0x1' }
            : kind === 3
              ? { ...base, data: '0x6001600055', type: '0x2', maxFeePerGas: '0x77359400', maxPriorityFeePerGas: '0x2' }
              : {
                  ...base,
                  to: other,
                  data: `0x${'ab'.repeat(100 + i)}`,
                  type: '0x2',
                  maxFeePerGas: '0x77359400',
                  maxPriorityFeePerGas: '0x3',
                }
    await rpc(url, 'eth_sendTransaction', [tx])
  }
  await rpc(url, 'evm_mine')
}

test('empty roots are the well-known constants', () => {
  assert.is(EMPTY_TRIE_ROOT, '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421')
  assert.is(transactionsRoot([]), EMPTY_TRIE_ROOT)
  assert.is(withdrawalsRoot([]), EMPTY_TRIE_ROOT)
  assert.is(requestsHash([]), EMPTY_REQUESTS_HASH)
  // EIP-7685: requests with no data after the type byte are left out of the hash.
  assert.is(requestsHash(['0x00', '0x01']), EMPTY_REQUESTS_HASH)
  assert.is.not(requestsHash(['0x0001']), EMPTY_REQUESTS_HASH)
})

test('trie root matches the classic doe/dog/dogglesworth vector (extension, branch with value, leaves)', () => {
  const root = trieRoot([
    { key: utf8('doe'), value: utf8('reindeer') },
    { key: utf8('dog'), value: utf8('puppy') },
    { key: utf8('dogglesworth'), value: utf8('cat') },
  ])
  assert.is(root, '0x8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3')
  assert.throws(
    () =>
      trieRoot([
        { key: utf8('a'), value: utf8('1') },
        { key: utf8('a'), value: utf8('2') },
      ]),
    /duplicate/,
  )
})

test('rlpIndex encodes list-trie keys as rlp(index)', () => {
  assert.equal([...rlpIndex(0)], [0x80])
  assert.equal([...rlpIndex(1)], [0x01])
  assert.equal([...rlpIndex(127)], [0x7f])
  assert.equal([...rlpIndex(128)], [0x81, 0x80])
  assert.equal([...rlpIndex(256)], [0x82, 0x01, 0x00])
  // A one-item list trie is a single leaf; it must not equal the empty root.
  assert.is.not(orderedTrieRoot([Uint8Array.of(1)]), EMPTY_TRIE_ROOT)
})

test('genesis block hash matches anvil (Prague header with requestsHash)', async () => {
  const { block, payload } = await anvilPayload(prague.url, 'earliest')
  assert.is(block.requestsHash, EMPTY_REQUESTS_HASH)
  assert.is(computeBlockHash(payload, block.parentBeaconBlockRoot, []), block.hash)
})

test('block with 5 mixed-type transactions: transactionsRoot and hash match anvil (Prague)', async () => {
  await mineMixedBlock(prague.url, 5)
  const { block, payload } = await anvilPayload(prague.url, 'latest')
  assert.is(payload.transactions.length, 5)
  assert.is(transactionsRoot(payload.transactions), block.transactionsRoot)
  assert.is(withdrawalsRoot(payload.withdrawals), block.withdrawalsRoot)
  assert.is(computeBlockHash(payload, block.parentBeaconBlockRoot, []), block.hash)
})

test('block with 140 transactions (two-byte rlp index keys) matches anvil (Prague)', async () => {
  await mineMixedBlock(prague.url, 140)
  const { block, payload } = await anvilPayload(prague.url, 'latest')
  assert.is(payload.transactions.length, 140)
  assert.is(transactionsRoot(payload.transactions), block.transactionsRoot)
  assert.is(computeBlockHash(payload, block.parentBeaconBlockRoot, []), block.hash)
})

test('every trie size from 1 to 20 matches anvil (branch/extension shapes)', async () => {
  for (const n of [1, 2, 3, 15, 16, 17, 20]) {
    await mineMixedBlock(prague.url, n)
    const { block, payload } = await anvilPayload(prague.url, 'latest')
    assert.is(payload.transactions.length, n)
    assert.is(transactionsRoot(payload.transactions), block.transactionsRoot, `root of ${n} txs`)
    assert.is(computeBlockHash(payload, block.parentBeaconBlockRoot, []), block.hash, `hash of ${n} txs`)
  }
})

test('Cancun header (no requestsHash): hash matches without executionRequests, not with them', async () => {
  await mineMixedBlock(cancun.url, 7)
  const { block, payload } = await anvilPayload(cancun.url, 'latest')
  assert.is(block.requestsHash, undefined)
  assert.is(computeBlockHash(payload, block.parentBeaconBlockRoot), block.hash)
  assert.is.not(computeBlockHash(payload, block.parentBeaconBlockRoot, []), block.hash)
})

test('every payload field and the beacon root change the hash', async () => {
  const { block, payload } = await anvilPayload(prague.url, 'latest')
  const h = (p: ExecutionPayloadV3, root = block.parentBeaconBlockRoot) => computeBlockHash(p, root, [])
  assert.is(h(payload), block.hash)
  const changes: Partial<ExecutionPayloadV3>[] = [
    { parentHash: `0x${'11'.repeat(32)}` },
    { feeRecipient: `0x${'22'.repeat(20)}` },
    { stateRoot: `0x${'33'.repeat(32)}` },
    { receiptsRoot: `0x${'44'.repeat(32)}` },
    { logsBloom: `0x${'55'.repeat(256)}` },
    { prevRandao: `0x${'66'.repeat(32)}` },
    { blockNumber: '0x999' },
    { gasLimit: '0x1' },
    { gasUsed: '0x1' },
    { timestamp: '0x1' },
    { extraData: '0x01' },
    { baseFeePerGas: '0x2' },
    { transactions: payload.transactions.slice(1) },
    { transactions: [...payload.transactions].reverse() },
    { blobGasUsed: '0x1' },
    { excessBlobGas: '0x1' },
    { withdrawalsRoot: `0x${'77'.repeat(32)}` },
  ]
  for (const c of changes) assert.is.not(h({ ...payload, ...c }), block.hash, JSON.stringify(Object.keys(c)))
  assert.is.not(h(payload, `0x${'88'.repeat(32)}`), block.hash)
})

test('OP Isthmus: the payload withdrawalsRoot replaces the withdrawals-list root in the header', async () => {
  const { block, payload } = await anvilPayload(prague.url, 'latest')
  // An empty L2ToL1MessagePasser storage root equals the empty-list root, so the hash is unchanged.
  assert.is(
    computeBlockHash({ ...payload, withdrawalsRoot: EMPTY_TRIE_ROOT }, block.parentBeaconBlockRoot, []),
    block.hash,
  )
  const storageRoot: Hex = `0x${'ab'.repeat(32)}`
  assert.is(
    headerFromPayload({ ...payload, withdrawalsRoot: storageRoot }, block.parentBeaconBlockRoot).withdrawalsRoot,
    storageRoot,
  )
})

test("payloadToBlockSummary reproduces anvil's eth_getBlockByNumber fields", async () => {
  const { block, payload } = await anvilPayload(prague.url, 'latest')
  const s = payloadToBlockSummary(payload, block.parentBeaconBlockRoot, [])
  for (const k of [
    'hash',
    'parentHash',
    'sha3Uncles',
    'miner',
    'stateRoot',
    'transactionsRoot',
    'receiptsRoot',
    'logsBloom',
    'difficulty',
    'number',
    'gasLimit',
    'gasUsed',
    'timestamp',
    'extraData',
    'mixHash',
    'nonce',
    'baseFeePerGas',
    'withdrawalsRoot',
    'blobGasUsed',
    'excessBlobGas',
    'parentBeaconBlockRoot',
    'requestsHash',
    'transactions',
    'withdrawals',
    'uncles',
  ] as const) {
    assert.equal(s[k], block[k], k)
  }
})

test('encodeHeader refuses a header with a gap in the fork fields', async () => {
  const { block, payload } = await anvilPayload(prague.url, 'latest')
  const header = headerFromPayload(payload, block.parentBeaconBlockRoot, EMPTY_REQUESTS_HASH)
  delete header.parentBeaconBlockRoot
  assert.throws(() => encodeHeader(header), /requestsHash but no parentBeaconBlockRoot/)
})

test('withdrawalsRoot matches mainnet block 17826409 and the ethereum/tests bc4895 warmup vector', () => {
  // Mainnet block 17826409 (16 withdrawals, validator indexes 0xa2f00.., withdrawal indexes 0xc13ad8..).
  const amounts = [
    '0xe162d9',
    '0xe1c5c2',
    '0xe14f28',
    '0xe190f2',
    '0xe1e59c',
    '0xe1bbfe',
    '0xe20974',
    '0xe145b7',
    '0xe11e5d',
    '0xe221e0',
    '0xe2061a',
    '0xe23d22',
    '0xe1ab3a',
    '0xe19535',
    '0x317c537',
    '0xe1965f',
  ]
  const mainnet = amounts.map((amount, i) => ({
    address: '0xb9d7934878b5fb9610b3fe8a5e441e8fad7e293f' as Hex,
    amount: amount as Hex,
    index: `0x${(0xc13ad8 + i).toString(16)}` as Hex,
    validatorIndex: `0x${(0xa2f00 + i).toString(16)}` as Hex,
  }))
  assert.is(withdrawalsRoot(mainnet), '0x38cd9ae992a22b94a1582e7d0691dbef56a90cdb36bf7b11d98373f80b102c8f')
  // BlockchainTests/InvalidBlocks/bc4895-withdrawals/warmup.json (10 withdrawals to 0xc0..01..0xc0..10).
  const warmup = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n, i) => ({
    index: `0x${i.toString(16)}` as Hex,
    validatorIndex: '0x0' as Hex,
    amount: '0x186a0' as Hex,
    address: `0xc0000000000000000000000000000000000000${n < 10 ? `0${n}` : String(n)}` as Hex,
  }))
  assert.is(withdrawalsRoot(warmup), '0xaa45c53e9f7d6a8362f80876029915da00b1441ef39eb9bbb74f98465ff433ad')
})

test('withdrawalsRoot of a non-empty list differs by content and order', () => {
  const w = (i: number) => ({
    index: `0x${i.toString(16)}` as Hex,
    validatorIndex: '0x10' as Hex,
    address: `0x${'aa'.repeat(20)}` as Hex,
    amount: '0x3b9aca00' as Hex,
  })
  const a = withdrawalsRoot([w(0), w(1)])
  assert.is.not(a, EMPTY_TRIE_ROOT)
  assert.is.not(a, withdrawalsRoot([w(1), w(0)]))
  assert.is(a, withdrawalsRoot([w(0), w(1)]))
})

/** viem's generic RLP + keccak of a header, the reference the direct encoder must equal. */
const viemHeaderHash = (h: BlockHeader): Hex => viemKeccak(toRlp(viemFieldsOf(h)))

test('the direct header encoder equals viem rlp + keccak for every fork shape and field size', async () => {
  const { block, payload } = await anvilPayload(prague.url, 'latest')
  const prag = headerFromPayload(payload, block.parentBeaconBlockRoot, EMPTY_REQUESTS_HASH)
  assert.is(viemHeaderHash(prag), block.hash, 'the reference itself matches anvil')
  const { requestsHash: _r, ...cancunShape } = prag
  const { blobGasUsed: _b, excessBlobGas: _e, parentBeaconBlockRoot: _p, ...shanghai } = cancunShape
  const { withdrawalsRoot: _w, ...london } = shanghai
  const shapes: Record<string, BlockHeader> = { prague: prag, cancun: cancunShape, shanghai, london }
  // Scalars around every length boundary (0 is the empty string, < 0x80 one byte, 2^53 leaves the double path).
  const scalars = [
    0n,
    1n,
    0x7fn,
    0x80n,
    0xffn,
    0x100n,
    0x1fffffffffffffn,
    0x20000000000000n,
    0x20000000000001n,
    2n ** 64n - 1n,
    2n ** 255n,
  ]
  // extraData: empty, a byte below and above 0x80, the Holocene/Jovian sizes, both sides of 56, long.
  const extras: Hex[] = ['0x', '0x7f', '0x80', `0x00${'ab'.repeat(8)}`, `0x${'cd'.repeat(55)}`, `0x${'cd'.repeat(56)}`]
  extras.push(`0x${'ee'.repeat(300)}`)
  let checked = 0
  for (const [name, shape] of Object.entries(shapes)) {
    assert.is(hashHeader(shape), viemHeaderHash(shape), name)
    assert.is(bytesToHex(encodeHeader(shape)), toRlp(viemFieldsOf(shape)), `${name} bytes`)
    for (const n of scalars) {
      for (const k of ['number', 'gasLimit', 'gasUsed', 'timestamp', 'baseFeePerGas', 'difficulty'] as const) {
        const h = { ...shape, [k]: n }
        assert.is(hashHeader(h), viemHeaderHash(h), `${name} ${k}=${n}`)
        checked++
      }
      if (shape.blobGasUsed !== undefined) {
        const h = { ...shape, blobGasUsed: n, excessBlobGas: n + 1n }
        assert.is(hashHeader(h), viemHeaderHash(h), `${name} blob gas ${n}`)
      }
    }
    for (const extraData of extras) {
      const h = { ...shape, extraData }
      assert.is(hashHeader(h), viemHeaderHash(h), `${name} extraData of ${(extraData.length - 2) / 2} bytes`)
    }
  }
  assert.ok(checked >= 240)
  assert.is(computeBlockHash(payload, block.parentBeaconBlockRoot, []), block.hash, 'the shared buffer is reusable')
})

/** The same fields as viemHeaderHash, for comparing bytes (not only hashes). */
function viemFieldsOf(h: BlockHeader): Hex[] {
  const hex = (x: bigint) => (x === 0n ? '0x' : numberToHex(x))
  const out: Hex[] = [h.parentHash, h.ommersHash, h.beneficiary, h.stateRoot, h.transactionsRoot, h.receiptsRoot]
  out.push(h.logsBloom, hex(h.difficulty), hex(h.number), hex(h.gasLimit), hex(h.gasUsed), hex(h.timestamp))
  out.push(h.extraData, h.mixHash, h.nonce, hex(h.baseFeePerGas))
  if (h.withdrawalsRoot !== undefined) out.push(h.withdrawalsRoot)
  if (h.blobGasUsed !== undefined) out.push(hex(h.blobGasUsed), hex(h.excessBlobGas!), h.parentBeaconBlockRoot!)
  if (h.requestsHash !== undefined) out.push(h.requestsHash)
  return out
}

test('the direct header encoder refuses malformed hex instead of hashing a truncated field', async () => {
  const { block, payload } = await anvilPayload(prague.url, 'latest')
  const h = headerFromPayload(payload, block.parentBeaconBlockRoot, EMPTY_REQUESTS_HASH)
  for (const extraData of ['0xabc', '0xzz', 'abcd', `0x${'ab'.repeat(1025)}`] as Hex[])
    assert.throws(() => hashHeader({ ...h, extraData }), /invalid hex|over 1024/, extraData.slice(0, 8))
  assert.throws(() => hashHeader({ ...h, stateRoot: `0x${'gg'.repeat(32)}` }), /invalid hex/)
  assert.throws(() => hashHeader({ ...h, gasUsed: -1n }), /negative/)
  assert.is(hashHeader(h), block.hash, 'a refused header leaves the next one right')
})

test.run()
