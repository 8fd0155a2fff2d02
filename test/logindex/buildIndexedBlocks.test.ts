import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  accessFor,
  CROSS_L2_INBOX,
  EXECUTING_MESSAGE_TOPIC,
  encodeIdentifier,
  type Hex,
} from '../../src/interop/index.js'
import { buildIndexedBlocks } from '../../src/logindex/buildIndexedBlocks.js'
import type { Header, RawLog } from '../../src/logindex/chainRpc.js'
import { InconsistentRangeError } from '../../src/logindex/errors.js'

const hash = (n: number, fork = 0): Hex => `0x${(n * 16 + fork).toString(16).padStart(64, '0')}`
const BLOOM_SET = `0x${'ff'.repeat(256)}` as Hex
const BLOOM_EMPTY = `0x${'00'.repeat(256)}` as Hex
const header = (n: number, bloom = BLOOM_EMPTY): Header => ({
  number: BigInt(n),
  hash: hash(n),
  parentHash: hash(n - 1),
  timestamp: 1000n + BigInt(n),
  logsBloom: bloom,
})
const log = (n: number, logIndex: number, extra: Partial<RawLog> = {}): RawLog => ({
  address: '0x00000000000000000000000000000000000e1771',
  topics: [`0x${'11'.repeat(32)}`],
  data: '0x1234',
  blockNumber: `0x${n.toString(16)}`,
  blockHash: hash(n),
  logIndex: `0x${logIndex.toString(16)}`,
  ...extra,
})

test("computes each log's access checksum with the block timestamp and decodes executing messages", () => {
  const id = {
    origin: '0x00000000000000000000000000000000000e1771' as Hex,
    blockNumber: 5n,
    logIndex: 0,
    timestamp: 900n,
    chainId: 1n << 70n,
  }
  const payload = `0x${'22'.repeat(32)}` as Hex
  const exec = log(2, 1, {
    address: CROSS_L2_INBOX,
    topics: [EXECUTING_MESSAGE_TOPIC, payload],
    data: encodeIdentifier(id),
  })
  const blocks = buildIndexedBlocks(1n << 70n, [header(1), header(2, BLOOM_SET)], [log(2, 0), exec])
  assert.is(blocks.length, 2)
  assert.is(blocks[0]!.logs.length, 0)
  const b = blocks[1]!
  assert.equal(
    b.logs.map((l) => l.logIndex),
    [0, 1],
  )
  assert.is(b.execMsgs.length, 1)
  const m = b.execMsgs[0]!
  assert.equal(
    [m.logIndex, m.sourceChain, m.sourceBlock, m.sourceLogIndex, m.sourceTimestamp],
    [1, 1n << 70n, 5n, 0, 900n],
  )
  assert.is(`0x${m.checksum.toString('hex')}`, accessFor(id, payload).checksum)
})

test('rejects a range whose parts do not describe one chain', () => {
  const cases: [string, Header[], RawLog[]][] = [
    ['broken parent link', [header(1), { ...header(2), parentHash: hash(1, 1) }], []],
    ['log on another fork', [header(1, BLOOM_SET)], [log(1, 0, { blockHash: hash(1, 1) })]],
    ['log outside the range', [header(1)], [log(3, 0)]],
    ['bloom without logs', [header(1, BLOOM_SET)], []],
    ['logs with an empty bloom', [header(1)], [log(1, 0)]],
  ]
  for (const [name, headers, logs] of cases)
    assert.throws(
      () => buildIndexedBlocks(1n, headers, logs),
      (e: unknown) => e instanceof InconsistentRangeError,
      name,
    )
})

test.run()
