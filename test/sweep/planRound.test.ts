import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Access, accessFor, encodeAccess, type Hex, parseAccessList } from '../../src/interop/index.js'
import { type PlannedChunk, planRound, refsOf, type SweepTx } from '../../src/sweep/planRound.js'
import { decodeAccess, unpackEntries } from '../../src/sweep/protocol.js'

const access = (i: number, chainId = 901n): Access =>
  accessFor(
    {
      origin: `0x${String(i).padStart(40, '0')}`,
      blockNumber: BigInt(100 + i),
      logIndex: i,
      timestamp: 1_700_000_000n + BigInt(i),
      chainId,
    },
    `0x${String(i).padStart(64, '0')}`,
  )

const tx = (n: number, entries: string[]): SweepTx => ({
  hash: `0x${n.toString(16).padStart(64, '0')}` as Hex,
  inboxEntries: entries,
  firstSeen: 0,
})

async function plan(txs: SweepTx[], chunkSize = 3, sliceMs?: number) {
  const chunks: PlannedChunk[] = []
  const p = await planRound(txs, {
    chunkSize,
    onChunk: (c) => chunks.push(c),
    ...(sliceMs === undefined ? {} : { sliceMs }),
  })
  return { p, chunks }
}

test('accesses shared between transactions are checked once; every tx keeps its own references', async () => {
  const [a, b, c] = [access(1), access(2), access(3)]
  const txs = [
    tx(1, encodeAccess(a).concat(encodeAccess(b))),
    tx(2, encodeAccess(b)),
    tx(
      3,
      encodeAccess(c)
        .concat(encodeAccess(a))
        .map((e) => e.toUpperCase().replace('0X', '0x')),
    ),
  ]
  const { p, chunks } = await plan(txs, 2)
  assert.is(p.declared, 5)
  assert.is(p.unique, 3)
  assert.equal([...refsOf(p, 0)], [0, 1])
  assert.equal([...refsOf(p, 1)], [1])
  assert.equal([...refsOf(p, 2)], [2, 0], 'upper-case hex is the same access')
  assert.equal(
    chunks.map((ch) => [ch.base, ch.count]),
    [
      [0, 2],
      [2, 1],
    ],
  )
  const buf = Buffer.from(chunks[0]!.accesses)
  assert.equal(decodeAccess(buf, 1), b)
  assert.equal(unpackEntries(buf, 0), encodeAccess(a))
})

test('past the de-duplication window an access repeated is packed again, and every reference still finds its access', async () => {
  const [a, b, c, d, e] = [1, 2, 3, 4, 5].map((n) => access(n))
  const txs = [a, b, c, d, e, a, e].map((x, i) => tx(i, encodeAccess(x!)))
  const chunks: PlannedChunk[] = []
  const p = await planRound(txs, { chunkSize: 2, dedupeWindow: 4, onChunk: (ch) => chunks.push(ch) })
  // a..d fill two chunks (4 remembered: the window), then it starts afresh: e, a again, e once.
  assert.is(p.declared, 7)
  assert.is(p.unique, 6)
  assert.equal(
    txs.map((_, t) => [...refsOf(p, t)]),
    [[0], [1], [2], [3], [4], [5], [4]],
  )
  const packed = (n: number) => {
    const ch = chunks.find((x) => n >= x.base && n < x.base + x.count)!
    return decodeAccess(Buffer.from(ch.accesses), n - ch.base)
  }
  assert.equal([0, 1, 2, 3, 4, 5].map(packed), [a, b, c, d, e, a])
})

test('a checksum declared with another lookup is another access (forged lists cannot alias valid ones)', async () => {
  const [a, b] = [access(1), access(2)]
  const forged = [encodeAccess(b)[0]!, a.checksum]
  const { p, chunks } = await plan([tx(1, encodeAccess(a)), tx(2, forged), tx(3, forged), tx(4, encodeAccess(a))], 8)
  assert.is(p.unique, 2)
  assert.equal(
    [0, 1, 2, 3].map((t) => [...refsOf(p, t)]),
    [[0], [1], [1], [0]],
  )
  const buf = Buffer.from(chunks[0]!.accesses)
  assert.equal(unpackEntries(buf, 1), forged)
})

test('chain-id extensions are packed and decoded back to the full chain id', async () => {
  const big = access(7, (1n << 70n) + 5n)
  const entries = encodeAccess(big)
  assert.is(entries.length, 3)
  const { chunks } = await plan([tx(1, entries)])
  const buf = Buffer.from(chunks[0]!.accesses)
  assert.equal(decodeAccess(buf, 0), parseAccessList(entries)[0])
  assert.equal(unpackEntries(buf, 0), entries)
})

test("malformed access lists are parse errors with the codec's own wording", async () => {
  const good = encodeAccess(access(1))
  const bad: string[][] = [
    [good[0]!],
    [good[1]!, good[0]!],
    [`0x01ff${good[0]!.slice(6)}`, good[1]!],
    [good[0]!, good[0]!],
    [good[0]!, '0x1234'],
    [good[0]!, `0x02ff${'00'.repeat(30)}`, good[1]!],
    [good[0]!, `0x02${'00'.repeat(31)}`],
    [...good, good[0]!],
    [`${good[0]!.slice(0, 40)}zz${good[0]!.slice(42)}`, good[1]!],
    [good[0]!, `${good[1]!.slice(0, 50)}g${good[1]!.slice(51)}`],
    [good[0]!, `${good[1]!.slice(0, 50)}g${good[1]!.slice(51)}`],
    [good[0]!, `0x02${'00'.repeat(7)}${'x'.repeat(48)}`, good[1]!],
    [good[0]!.slice(0, 65), good[1]!],
  ]
  const { p } = await plan([...bad.map((e, i) => tx(i, e)), tx(99, good)])
  bad.forEach((entries, i) => {
    let expected = ''
    try {
      parseAccessList(entries)
    } catch (err) {
      expected = `failed to read data: ${(err as Error).message}`
    }
    assert.ok(expected !== '', `case ${i} is malformed for the codec too`)
    assert.is(p.parseErrors.get(i), expected, `case ${i}`)
    assert.is(refsOf(p, i).length, 0, `case ${i} has no references`)
  })
  assert.not.ok(p.parseErrors.has(bad.length), 'the well-formed tx parses')
  assert.is(refsOf(p, bad.length).length, 1)
})

test('a large round plans in slices and yields to the event loop', async () => {
  const txs = Array.from({ length: 20_000 }, (_, i) => tx(i, encodeAccess(access(i % 5000))))
  let ticks = 0
  const timer = setInterval(() => {
    ticks++
  }, 0)
  // sliceMs 0: yield at every check point, so the assertion does not depend on machine speed.
  const { p, chunks } = await plan(txs, 1000, 0).finally(() => clearInterval(timer))
  assert.is(p.unique, 5000)
  assert.is(chunks.length, 5)
  assert.ok(ticks > 0, 'timers ran while planning')
})

test.run()
