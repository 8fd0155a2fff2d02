import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checkRequest } from '../../src/check/checkRequest.js'
import type { CheckResult } from '../../src/check/checkResult.js'
import { createIndexBackend } from '../../src/check/indexBackend.js'
import { accessFor, EXPIRY_WINDOW_S, encodeAccess, type Hex, type Identifier } from '../../src/interop/index.js'
import { Failsafe } from '../../src/supervisor/failsafe.js'
import { parseInboxEntries } from '../../src/supervisor/parseInboxEntries.js'
import { FakeLogReader } from '../_helpers/fakeLogReader.js'

const A = 901n
const B = 902n
const C = 903n
const T = 1_700_000_000n
const ORIGIN = '0x00000000000000000000000000000000000e1771' as Hex
const PAYLOAD = `0x${'ab'.repeat(32)}` as Hex

function setup() {
  const reader = new FakeLogReader().addChain(A).addChain(B).addChain(C)
  for (let n = 0n; n <= 10n; n++) reader.addBlock(A, n, T + n * 2n)
  reader.addBlock(C, 8n, T + 8n) // chain C's index starts at block 8 (backfill window)
  reader.addBlock(B, 0n, T)
  const id = (over: Partial<Identifier> = {}): Identifier => ({
    origin: ORIGIN,
    blockNumber: 5n,
    logIndex: 1,
    timestamp: T + 10n,
    chainId: A,
    ...over,
  })
  const msg = reader.addMessage(id(), PAYLOAD)
  reader.addMessage(id({ blockNumber: 7n, logIndex: 0, timestamp: T + 14n }), PAYLOAD)
  reader.setHead(A, 'cross-unsafe', 6n)
  reader.setHead(A, 'safe', 4n)
  reader.setHead(A, 'finalized', 2n)
  const failsafe = new Failsafe()
  const backend = createIndexBackend(reader, { status: () => [] })
  const check = (
    entries: unknown,
    minSafety: unknown = 'unsafe',
    descriptor: unknown = { chainID: String(B), timestamp: `0x${(T + 100n).toString(16)}` },
  ) => checkRequest({ backend, failsafe }, () => parseInboxEntries(entries), minSafety, descriptor)
  return { reader, failsafe, check, msg, id }
}

const entriesOf = (id: Identifier, payload: Hex = PAYLOAD) => encodeAccess(accessFor(id, payload))
const desc = (timestamp: bigint, extra: Record<string, unknown> = {}) => ({
  chainID: String(B),
  timestamp: `0x${timestamp.toString(16)}`,
  ...extra,
})

function code(r: CheckResult | Promise<CheckResult>): number {
  assert.not.instance(r, Promise, 'the index backend answers synchronously')
  const res = r as CheckResult
  return res.ok ? 0 : res.error.rpcCode
}
function message(r: CheckResult | Promise<CheckResult>): string {
  const res = r as CheckResult
  return res.ok ? '' : res.error.message
}

test('a valid message passes at unsafe, synchronously', () => {
  const { check, msg } = setup()
  assert.is(code(check(entriesOf(msg.identifier))), 0)
})

test('an empty access list passes (nothing to check)', () => {
  const { check } = setup()
  assert.is(code(check([], 'unsafe', { chainID: '12345', timestamp: '0x1' })), 0)
})

test('failsafe answers -320602 before anything else, even malformed input', () => {
  const { check, failsafe } = setup()
  failsafe.set(true)
  assert.is(code(check(['0x00'], 'bogus', null)), -320602)
  failsafe.set(false)
  assert.is(code(check([], 'unsafe', desc(T))), 0)
})

test('unknown minSafety is -32602 before entries are parsed; inherited names are no levels', () => {
  const { check } = setup()
  const r = check(['0x00'], 'cross-safe')
  assert.is(code(r), -32602)
  assert.is(message(r), 'unrecognized safety level: "cross-safe"')
  assert.is(code(check([], 'toString')), -32602)
})

test('a malformed entry anywhere is -32602 "failed to read data", even after a failing access', () => {
  const { check, id } = setup()
  const bad = [...entriesOf(id({ chainId: 999n })), `0x01${'00'.repeat(31)}`]
  const r = check(bad)
  assert.is(code(r), -32602)
  assert.is(message(r), 'failed to read data: expected entry')
  const r2 = check([`0x04${'00'.repeat(31)}`])
  assert.is(message(r2), 'failed to read data: expected lookup, got entry type 4: unexpected entry type')
})

test('descriptor: chainID required, chainId spelling, decimal or hex, missing timeout = 0', () => {
  const { check, msg } = setup()
  const entries = entriesOf(msg.identifier)
  assert.is(code(check(entries, 'unsafe', { timestamp: '0x1' })), -32602)
  assert.is(code(check(entries, 'unsafe', { chainID: String(B) })), -32602)
  assert.is(code(check(entries, 'unsafe', 'nope')), -32602)
  assert.is(code(check(entries, 'unsafe', { chainId: String(B), timestamp: `0x${(T + 20n).toString(16)}` })), 0)
  assert.is(
    code(check(entries, 'unsafe', { chainID: `0x${B.toString(16)}`, timestamp: `0x${(T + 20n).toString(16)}` })),
    0,
  )
  assert.is(
    code(check(entries, 'unsafe', { chainID: String(B), timestamp: `0x${(T + 20n).toString(16)}`, timeout: '0x0' })),
    0,
  )
})

test('executing chain not configured → -320501', () => {
  const { check, msg } = setup()
  const r = check(entriesOf(msg.identifier), 'unsafe', { chainID: '7', timestamp: `0x${(T + 20n).toString(16)}` })
  assert.is(code(r), -320501)
})

test('timing: intra-timestamp, before init, expiry, timeout → -320600; the window edge passes', () => {
  const { check, msg } = setup()
  const e = entriesOf(msg.identifier)
  const init = msg.identifier.timestamp
  assert.is(
    message(check(e, 'unsafe', desc(init))),
    `conflicting data: initiating message timestamp ${init} not before inclusion timestamp ${init}`,
  )
  assert.is(code(check(e, 'unsafe', desc(init - 1n))), -320600)
  assert.is(code(check(e, 'unsafe', desc(init + EXPIRY_WINDOW_S))), 0)
  assert.is(code(check(e, 'unsafe', desc(init + EXPIRY_WINDOW_S + 1n))), -320600)
  assert.is(code(check(e, 'unsafe', desc(init + 1n, { timeout: `0x${EXPIRY_WINDOW_S.toString(16)}` }))), -320600)
  assert.is(code(check(e, 'unsafe', desc(init + 1n, { timeout: `0x${(EXPIRY_WINDOW_S - 1n).toString(16)}` }))), 0)
})

test('timing is checked before the source chain', () => {
  const { check, id } = setup()
  const e = entriesOf(id({ chainId: 999n }))
  assert.is(code(check(e, 'unsafe', desc(T + 10n))), -320600)
  assert.is(code(check(e, 'unsafe', desc(T + 11n))), -320501)
})

test('source chain not ready → -320400; beyond the head → -321100 (op-interop-filter: not yet ingested)', () => {
  const { check, reader, id, msg } = setup()
  assert.is(code(check(entriesOf(id({ blockNumber: 11n, timestamp: T + 22n })), 'unsafe', desc(T + 30n))), -321100)
  reader.setReady(A, false)
  assert.is(code(check(entriesOf(msg.identifier))), -320400)
})

test('missing log, wrong timestamp, wrong checksum → -320600', () => {
  const { check, id } = setup()
  assert.match(message(check(entriesOf(id({ logIndex: 2 })))), /no log 2 in block 5/)
  assert.match(message(check(entriesOf(id({ timestamp: T + 11n })))), /timestamp mismatch/)
  assert.match(message(check(entriesOf(id(), `0x${'cd'.repeat(32)}`))), /checksum mismatch/)
  assert.match(message(check(entriesOf(id({ origin: `0x${'11'.repeat(20)}` })))), /checksum mismatch/)
})

test('a block the index does not hold (before the backfill) is -321401, not a conflict', () => {
  const { check } = setup()
  const old = { origin: ORIGIN, blockNumber: 3n, logIndex: 0, timestamp: T + 3n, chainId: C }
  assert.is(code(check(entriesOf(old))), -321401)
  assert.is(code(check(entriesOf({ ...old, blockNumber: 8n, timestamp: T + 8n }))), -320600)
})

test("minSafety: cross-unsafe (not yet → -321100, the filter's answer), local-safe/safe (safe head), finalized (not yet → -321401)", () => {
  const { check, msg, id } = setup()
  const at5 = entriesOf(msg.identifier)
  const at7 = entriesOf(id({ blockNumber: 7n, logIndex: 0, timestamp: T + 14n }))
  assert.is(code(check(at5, 'cross-unsafe')), 0)
  assert.is(code(check(at7, 'cross-unsafe')), -321100)
  assert.is(code(check(at7, 'unsafe')), 0)
  assert.is(code(check(at5, 'local-safe')), -321401)
  assert.is(code(check(at5, 'safe')), -321401)
  assert.is(code(check(at5, 'finalized')), -321401)
  const { check: check2, reader, msg: m2 } = setup()
  reader.setHead(A, 'safe', 5n)
  assert.is(code(check2(entriesOf(m2.identifier), 'local-safe')), 0)
  assert.is(code(check2(entriesOf(m2.identifier), 'safe')), 0)
  assert.is(code(check2(entriesOf(m2.identifier), 'finalized')), -321401)
})

test('accesses are checked in order; the first failure answers', () => {
  const { check, msg, id } = setup()
  const valid = entriesOf(msg.identifier)
  const conflict = entriesOf(id({ logIndex: 9 }))
  const unknown = entriesOf(id({ chainId: 999n }))
  assert.is(code(check([...valid, ...conflict, ...unknown])), -320600)
  assert.is(code(check([...valid, ...unknown, ...conflict])), -320501)
  assert.is(code(check([...valid, ...valid])), 0)
})

test.run()
