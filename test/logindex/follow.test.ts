import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import {
  type DevChain,
  DevSigner,
  emitInitiating,
  type InitiatingMessage,
  sendExecuting,
  setupChain,
} from '../../src/devnet/messages.js'
import { accessFor, type Hex } from '../../src/interop/index.js'
import { type Indexer, type ReorgEvent, startIndexer } from '../../src/logindex/index.js'
import { createLogger } from '../../src/util/logger.js'
import { untilIndexed } from '../_helpers/untilIndexed.js'

// A initiates; B executes A's messages correctly; C executes a forged one.
const dir = mkdtempSync(join(tmpdir(), 'sg-follow-'))
const anvils: Anvil[] = []
let A: DevChain, B: DevChain, C: DevChain
let indexer: Indexer
const signer = new DevSigner()
const reorgs: ReorgEvent[] = []

const rpc = (c: DevChain, method: string, params: unknown[] = []) =>
  c.client.request({ method: method as never, params: params as never }) as Promise<unknown>
const checksumOf = (c: DevChain, m: InitiatingMessage) => {
  const l = indexer.reader.findLog(c.chainId, m.identifier.blockNumber, m.identifier.logIndex)
  return l && (`0x${l.checksum.toString('hex')}` as Hex)
}
const head = (c: DevChain, level: 'unsafe' | 'cross-unsafe' = 'unsafe') => indexer.reader.head(c.chainId, level)

test.before(async () => {
  anvils.push(...(await Promise.all([901, 902, 903].map((chainId) => startAnvil({ chainId })))))
  ;[A, B, C] = (await Promise.all(anvils.map((a) => setupChain(a.url)))) as [DevChain, DevChain, DevChain]
  await emitInitiating(A, signer, { count: 3 })
  indexer = await startIndexer({
    chains: anvils.map((a) => ({ url: a.url })),
    dbPath: join(dir, 'index.db'),
    backfillMs: 86_400_000,
    pollMs: 50,
    logger: createLogger('silent'),
    progress: false,
  })
  indexer.on('reorg', (e) => reorgs.push(e))
  await indexer.ready
})

test.after(async () => {
  await indexer?.close()
  await Promise.all(anvils.map((a) => a.stop()))
  rmSync(dir, { recursive: true, force: true })
})

let m1: InitiatingMessage
let snapshot: unknown
let b1: bigint

test('follow indexes new blocks; a valid executing message lets cross-unsafe pass it', async () => {
  snapshot = await rpc(A, 'evm_snapshot')
  ;[m1] = (await emitInitiating(A, signer, { count: 1 })) as [InitiatingMessage]
  await untilIndexed(indexer, 'm1 indexed on A', () => checksumOf(A, m1) !== undefined)
  assert.is(checksumOf(A, m1), accessFor(m1.identifier, m1.payloadHash).checksum)

  b1 = (await sendExecuting(B, signer, m1)).blockNumber
  await untilIndexed(
    indexer,
    'B cross-unsafe past the executing block',
    () => (head(B, 'cross-unsafe')?.number ?? -1n) >= b1,
  )
  assert.is(head(B, 'cross-unsafe')!.number, head(B)!.number)
})

test('a forged executing message stops cross-unsafe at the block before it', async () => {
  const forged: InitiatingMessage = { identifier: m1.identifier, payloadHash: `0x${'ab'.repeat(32)}` }
  const c1 = (await sendExecuting(C, signer, forged)).blockNumber
  await rpc(C, 'anvil_mine', ['0x3'])
  await untilIndexed(indexer, 'C indexed past the forged block', () => (head(C)?.number ?? -1n) >= c1 + 3n)
  assert.is(head(C, 'cross-unsafe')!.number, c1 - 1n)
  // Unrelated chains keep advancing.
  assert.is(head(A, 'cross-unsafe')!.number, head(A)!.number)
})

test('a reorg on A removes the initiating log, indexes the replacement and pulls B back', async () => {
  const before = head(A)!
  assert.ok(await rpc(A, 'evm_revert', [snapshot]))
  signer.resetNonce(A)
  const [m2] = (await emitInitiating(A, signer, { count: 1 })) as [InitiatingMessage]
  assert.is(m2.identifier.blockNumber, m1.identifier.blockNumber, 'replacement at the same height')
  const replacement = await A.client.getBlock({ blockNumber: m2.identifier.blockNumber })
  await untilIndexed(indexer, 'A re-indexed on the replacement block', () => head(A)?.hash === replacement.hash)

  assert.ok(
    reorgs.some((e) => e.chainId === A.chainId && e.from.hash === before.hash),
    'reorg event for A',
  )
  assert.is(head(A)!.number, before.number, 'unsafe head rewound and re-indexed')
  assert.is(indexer.reader.block(A.chainId, m2.identifier.blockNumber)!.hash, replacement.hash)
  // The old message fails (its checksum no longer matches), the one in the replacement block passes.
  assert.is.not(checksumOf(A, m2), accessFor(m1.identifier, m1.payloadHash).checksum)
  assert.is(checksumOf(A, m2), accessFor(m2.identifier, m2.payloadHash).checksum)
  // B executed the reorged-out message: its cross-unsafe head goes back below that block and stays there.
  await rpc(B, 'anvil_mine', ['0x2'])
  await untilIndexed(indexer, 'B indexed past its executing block', () => (head(B)?.number ?? -1n) >= b1 + 2n)
  assert.is(head(B, 'cross-unsafe')!.number, b1 - 1n)
  for (const level of ['safe', 'finalized', 'cross-unsafe'] as const) {
    const h = indexer.reader.head(A.chainId, level)
    assert.ok(!h || h.number <= head(A)!.number, `A ${level} at or below unsafe`)
  }
})

test('a chain that gets shorter (blocks dropped, none replacing them) is rewound to its new head', async () => {
  const before = head(C)!
  await rpc(C, 'anvil_rollback', [2])
  const latest = await C.client.getBlock({ blockTag: 'latest' })
  assert.is(latest.number, before.number - 2n)
  await untilIndexed(indexer, 'C rewound', () => head(C)?.hash === latest.hash)
  assert.is(indexer.reader.block(C.chainId, before.number), undefined)
  assert.ok(
    reorgs.some((e) => e.chainId === C.chainId && e.to?.hash === latest.hash),
    'reorg event to the common ancestor',
  )
})

test.run()
