import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import {
  type DevChain,
  DevSigner,
  emitInitiating,
  type InitiatingMessage,
  setupChain,
} from '../../src/devnet/messages.js'
import { accessFor } from '../../src/interop/index.js'
import { type Indexer, openLogReader, startIndexer } from '../../src/logindex/index.js'
import { createLogger } from '../../src/util/logger.js'

const dir = mkdtempSync(join(tmpdir(), 'sg-backfill-'))
const anvils: Anvil[] = []
const indexers: Indexer[] = []
const chains: DevChain[] = []
const sent = new Map<bigint, InitiatingMessage[]>()
const signer = new DevSigner()

test.before(async () => {
  anvils.push(await startAnvil({ chainId: 901 }), await startAnvil({ chainId: 902 }))
  for (const a of anvils) chains.push(await setupChain(a.url))
  for (const c of chains) {
    const msgs: InitiatingMessage[] = []
    for (const count of [1, 7, 120]) {
      msgs.push(...(await emitInitiating(c, signer, { count })))
      await c.client.request({ method: 'anvil_mine' as never, params: ['0x20'] as never })
    }
    sent.set(c.chainId, msgs)
  }
})

test.after(async () => {
  for (const i of indexers) await i.close()
  await Promise.all(anvils.map((a) => a.stop()))
  rmSync(dir, { recursive: true, force: true })
})

test('backfill indexes every log with its checksum, every block, and becomes ready', async () => {
  const dbPath = join(dir, 'index.db')
  const registry = new Registry()
  const indexer = await startIndexer({
    chains: chains.map((c) => ({ url: c.url })),
    dbPath,
    backfillMs: 7 * 86_400_000,
    pollMs: 100,
    logger: createLogger('silent'),
    registry,
    progress: false,
    maxRange: 16,
  })
  indexers.push(indexer)
  await indexer.ready
  const r = indexer.reader
  assert.equal([...r.chains()], [901n, 902n])
  for (const c of chains) {
    assert.ok(r.isReady(c.chainId))
    const latest = await c.client.getBlock()
    const head = r.head(c.chainId, 'unsafe')
    assert.ok(head && head.number >= latest.number, `head of ${c.chainId}`)
    for (let n = 0n; n <= latest.number; n++) {
      const b = await c.client.getBlock({ blockNumber: n })
      assert.equal(
        r.block(c.chainId, n),
        { number: n, hash: b.hash, parentHash: b.parentHash, timestamp: b.timestamp },
        `block ${n} of ${c.chainId}`,
      )
    }
    for (const m of sent.get(c.chainId)!) {
      const stored = r.findLog(c.chainId, m.identifier.blockNumber, m.identifier.logIndex)
      assert.ok(stored, `log ${m.identifier.blockNumber}/${m.identifier.logIndex}`)
      assert.is(
        `0x${stored.checksum.toString('hex')}`,
        accessFor(m.identifier, m.payloadHash).checksum,
        `checksum of ${m.identifier.blockNumber}/${m.identifier.logIndex}`,
      )
      assert.is(stored.timestamp, m.identifier.timestamp)
    }
    const last = sent.get(c.chainId)!.at(-1)!
    assert.is(r.findLog(c.chainId, last.identifier.blockNumber, last.identifier.logIndex + 1), undefined)
    assert.is(r.findLog(c.chainId, head.number + 1n, 0), undefined)
    assert.is(r.findLog(c.chainId, 1n << 64n, 0), undefined)
    // No executing messages on these chains: cross-unsafe follows unsafe.
    assert.equal(r.head(c.chainId, 'cross-unsafe'), head)
    // anvil's safe/finalized are 32/64 blocks behind: the index reports them as stored blocks.
    const safe = r.head(c.chainId, 'safe')
    assert.ok(safe && safe.number <= head.number)
    assert.equal(r.block(c.chainId, safe.number), safe)
  }
  assert.is(r.isReady(999n), false)
  assert.is(r.head(999n, 'unsafe'), undefined)
  assert.is(r.findLog(999n, 1n, 0), undefined)
  const metrics = await registry.metrics()
  const logsTotal = sent.get(901n)!.length
  assert.match(metrics, `superguard_logindex_logs_indexed_total{chain_id="901"} ${logsTotal}`)
  assert.match(
    metrics,
    new RegExp(`superguard_logindex_head\\{chain_id="902",level="unsafe"\\} ${r.head(902n, 'unsafe')!.number}`),
  )
  assert.match(metrics, 'superguard_logindex_reorgs_total')
  const status = indexer.status()
  assert.equal(
    status.map((s) => [s.chainId, s.ready]),
    [
      [901n, true],
      [902n, true],
    ],
  )

  // A read-only reader (another thread or process) sees the same index.
  const ro = openLogReader(dbPath)
  try {
    for (const c of chains) {
      assert.equal(ro.head(c.chainId, 'unsafe'), r.head(c.chainId, 'unsafe'))
      assert.ok(ro.isReady(c.chainId))
      const m = sent.get(c.chainId)![3]!
      assert.equal(
        ro.findLog(c.chainId, m.identifier.blockNumber, m.identifier.logIndex),
        r.findLog(c.chainId, m.identifier.blockNumber, m.identifier.logIndex),
      )
    }
  } finally {
    ro.close()
  }
})

test('a chain id given with the URL must match the endpoint', async () => {
  try {
    await startIndexer({
      chains: [{ url: chains[0]!.url, chainId: 5n }],
      dbPath: join(dir, 'mismatch.db'),
      backfillMs: 1000,
      pollMs: 100,
      logger: createLogger('silent'),
      progress: false,
    })
    assert.unreachable('should have thrown')
  } catch (err) {
    assert.instance(err, Error)
    assert.match((err as Error).message, /serves chain 901, configured as 5/)
  }
})

test.run()
