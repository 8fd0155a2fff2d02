import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { generatePrivateKey } from 'viem/accounts'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import {
  type DevChain,
  DevSigner,
  type InitiatingMessage,
  setupChain,
  signExecuting,
} from '../../src/devnet/messages.js'
import type { Hex } from '../../src/interop/index.js'
import { RpcClient } from '../../src/rpc/client.js'
import { SweepPool } from '../../src/sweep/pool.js'
import { TxpoolReader } from '../../src/sweep/txpoolReader.js'

// The txpool source's reader on a real anvil (--no-mining: transactions stay pending): the first
// read is txpool_content, later ones follow anvil's pending-transaction and block filters and read
// only the new transactions by hash; what no filter reports (a transaction the client dropped) is
// caught by txpool_status, and a filter the client forgot sends the reader back to a full read.

let B: Anvil
let b: DevChain
let pool: SweepPool
const signer = new DevSigner(generatePrivateKey())
/** Filter ids the reader installed, and every method it sent (through a recording client). */
const filters: string[] = []
const sent: string[] = []

class RecordingClient extends RpcClient {
  override async batch(calls: { method: string; params?: readonly unknown[] }[], signal?: AbortSignal) {
    const out = await super.batch(calls, signal)
    calls.forEach((c, i) => {
      sent.push(c.method)
      const r = out[i]!
      if (c.method.startsWith('eth_new') && r.ok) filters.push(r.result as string)
    })
    return out
  }
}

// A message on chain 901 (never checked here: the reader only lists).
const message: InitiatingMessage = {
  identifier: {
    origin: '0x4200000000000000000000000000000000000024',
    blockNumber: 7n,
    logIndex: 0,
    timestamp: BigInt(Math.floor(Date.now() / 1000)),
    chainId: 901n,
  },
  payloadHash: `0x${'11'.repeat(32)}`,
}

const rpc = <T>(method: string, params: unknown[] = []) =>
  b.client.request({ method: method as never, params: params as never }) as Promise<T>

async function sendInterop(n: number): Promise<Hex[]> {
  const out: Hex[] = []
  for (let i = 0; i < n; i++)
    out.push(await rpc<Hex>('eth_sendRawTransaction', [await signExecuting(b, signer, message)]))
  return out
}

async function sendPlain(): Promise<Hex> {
  const raw = await signer.sign(b, { to: '0x000000000000000000000000000000000000dead', data: '0x', gas: 21_000n })
  return rpc<Hex>('eth_sendRawTransaction', [raw])
}

const readerOf = (incremental: boolean) =>
  new TxpoolReader({
    url: B.url,
    client: new RecordingClient(B.url, { timeoutMs: 5000 }),
    pool,
    timeoutMs: 5000,
    maxResponseBytes: 64 * 1024 * 1024,
    incremental,
  })

test.before(async () => {
  B = await startAnvil({ chainId: 902, args: ['--no-mining'] })
  b = await setupChain(B.url)
  await rpc('anvil_setBalance', [signer.account.address, '0x56bc75e2d63100000'])
  pool = new SweepPool({ threads: 1, tasksPerWorker: 1 })
})

test.after(async () => {
  await pool?.close()
  await B?.stop()
})

const hashes = (r: { txs: readonly { hash: Hex }[] }) => r.txs.map((t) => t.hash).sort()

test('auto: txpool_content once, then only what the filters report, by hash', async () => {
  const first = await sendInterop(3)
  const reader = readerOf(true)
  const r1 = await reader.read()
  assert.is(r1.read.how, 'full')
  assert.is(r1.read.why, 'start')
  assert.equal(hashes(r1), [...first].sort())
  assert.is(r1.total, 3)
  assert.is(filters.length, 2, 'a pending-transaction and a block filter installed before the read')

  const later = await sendInterop(2)
  const plain = await sendPlain()
  sent.length = 0
  const r2 = await reader.read()
  assert.is(r2.read.how, 'incremental')
  assert.is(r2.read.added, 3)
  assert.is(r2.read.removed, 0)
  assert.equal(hashes(r2), [...first, ...later].sort())
  assert.is(r2.total, 6, 'the plain transaction counts in the pool, not among the interop ones')
  assert.not.ok(hashes(r2).includes(plain))
  assert.not.ok(sent.includes('txpool_content'), 'no full read')
  assert.ok(sent.includes('txpool_status'))
  const firstSeen = r1.txs.find((t) => t.hash === first[0])!.firstSeen
  assert.is(r2.txs.find((t) => t.hash === first[0])!.firstSeen, firstSeen, 'first-seen carries over')

  // A block takes every pending transaction: the block filter reports it, its transactions leave.
  await rpc('evm_mine')
  const r3 = await reader.read()
  assert.is(r3.read.how, 'incremental')
  assert.is(r3.read.removed, 6)
  assert.is(r3.txs.length, 0)
  assert.is(r3.total, 0)

  // Nothing changed: an incremental read of nothing.
  const r4 = await reader.read()
  assert.equal([r4.read.how, r4.read.added, r4.read.removed], ['incremental', 0, 0])
})

test('auto: a transaction the client dropped (no filter says so) shows in txpool_status: a full read at once', async () => {
  const reader = readerOf(true)
  await reader.read() // full: start
  const [x, y] = await sendInterop(2)
  assert.is((await reader.read()).txs.length, 2)
  await rpc('anvil_dropTransaction', [y])
  // More listed here than the client holds: the same round reads in full.
  const r1 = await reader.read()
  assert.is(r1.read.how, 'full')
  assert.is(r1.read.why, 'count-mismatch')
  assert.equal(hashes(r1), [x])
  assert.is(r1.read.removed, 1)
  assert.is((await reader.read()).read.how, 'incremental', 'back to incremental reads')
  await rpc('evm_mine')
  signer.resetNonce(b) // y's nonce is free again
})

test('auto: a filter the client forgot sends the reader back to txpool_content', async () => {
  const reader = readerOf(true)
  filters.length = 0
  await reader.read()
  const [pendingFilter] = filters
  assert.ok(pendingFilter)
  const [x] = await sendInterop(1)
  assert.ok(await rpc<boolean>('eth_uninstallFilter', [pendingFilter]), 'anvil forgets the filter')
  const r = await reader.read()
  assert.is(r.read.how, 'full')
  assert.is(r.read.why, 'filter-lost')
  assert.equal(hashes(r), [x])
  assert.is((await reader.read()).read.how, 'incremental', 'new filters installed with the full read')
  await rpc('evm_mine')
})

test('full: txpool_content every round, no filters', async () => {
  const reader = readerOf(false)
  const [x] = await sendInterop(1)
  sent.length = 0
  const r1 = await reader.read()
  const r2 = await reader.read()
  assert.equal([r1.read.how, r1.read.why, r2.read.how, r2.read.why], ['full', 'configured', 'full', 'configured'])
  assert.equal(hashes(r2), [x])
  assert.not.ok(sent.some((m) => m.startsWith('eth_new')))
  await rpc('evm_mine')
})

test.run()
