import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { generatePrivateKey } from 'viem/accounts'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import {
  accessListEntries,
  type DevChain,
  DevSigner,
  emitInitiating,
  type InitiatingMessage,
  setupChain,
  signExecuting,
} from '../../src/devnet/messages.js'
import { RpcCode } from '../../src/errors/index.js'
import { EXPIRY_WINDOW_S, type Hex } from '../../src/interop/index.js'
import { type Supervisor, startSupervisor, supervisorConfig } from '../../src/supervisor/index.js'
import { type Sweep, SweepCode, type SweepReport, startSweep } from '../../src/sweep/index.js'
import type { SweepTx } from '../../src/sweep/planRound.js'
import { VerdictCache } from '../../src/sweep/verdictCache.js'
import { createLogger } from '../../src/util/logger.js'
import { captureLog } from '../_helpers/captureLog.js'
import { untilIndexed } from '../_helpers/untilIndexed.js'

// --verdict-ttl: the pure cache (expiry by ttl and by the message's own expiry, what is kept), then
// on real processes: source chain A (901, anvil), executing chain B (902, --no-mining, the txpool
// source), a supervisor indexing both. A second round answers from the cache without a check; a
// real reorg of A (anvil_reorg) drops exactly the verdicts that read the reorged block, seen by the
// same source-chain watch as --evict-on-reorg (supervisor mode: interop_getBlockHashByNumber), and
// they are checked again; a transaction that left the pool leaves the cache.

const entry = (timestampS: number) =>
  `0x01000000${(901).toString(16).padStart(16, '0')}${(7).toString(16).padStart(16, '0')}${timestampS.toString(16).padStart(16, '0')}00000000`
const txOf = (hash: string, timestampS: number): SweepTx => ({
  hash: hash as Hex,
  inboxEntries: [entry(timestampS), `0x03${'00'.repeat(31)}`],
  firstSeen: 0,
})

test('cache: hits until the ttl, keep verdicts are not kept, a valid one ends at its message expiry', () => {
  const nowS = 1_800_000_000
  const now = nowS * 1000
  const cache = new VerdictCache({ ttlMs: 60_000 })
  const a = txOf(`0x${'aa'.repeat(32)}`, nowS)
  const k = txOf(`0x${'bb'.repeat(32)}`, nowS)
  cache.beginRound()
  cache.set(a, { hash: a.hash, action: 'valid', code: 0 }, now, 0)
  cache.set(k, { hash: k.hash, action: 'keep', code: SweepCode.Transport }, now, 0)
  assert.is(cache.size, 1, 'a keep is asked again next round')
  assert.is(cache.get(a, now + 59_999).verdict?.action, 'valid')
  assert.equal(cache.get(a, now + 60_001), { expired: true })
  assert.is(cache.size, 0)

  // A message initiated 7 days minus 30 s ago: the round's descriptor (now + 2 s + window 10 s)
  // stops passing 18 s from now, so the valid verdict ends then, not at the ttl.
  const old = txOf(`0x${'cc'.repeat(32)}`, nowS - Number(EXPIRY_WINDOW_S) + 30)
  cache.set(old, { hash: old.hash, action: 'valid', code: 0 }, now, 10_000)
  assert.ok(cache.get(old, now + 18_000).verdict)
  assert.ok(cache.get(old, now + 18_001).expired)
  // An evict verdict stays evicted for the ttl whatever its messages say.
  cache.set(old, { hash: old.hash, action: 'evict', code: RpcCode.ConflictingData }, now, 10_000)
  assert.ok(cache.get(old, now + 59_000).verdict)

  // Entries not looked up in a round leave at its end.
  cache.beginRound()
  cache.set(a, { hash: a.hash, action: 'valid', code: 0 }, now, 0)
  cache.beginRound()
  assert.ok(cache.get(a, now).verdict)
  assert.is(cache.forgetUnseen(), 1, 'old was not listed this round')
  assert.is(cache.size, 1)

  const off = new VerdictCache({ ttlMs: 0 })
  off.set(a, { hash: a.hash, action: 'valid', code: 0 }, now, 0)
  assert.is(off.size, 0)
})

const dir = mkdtempSync(join(tmpdir(), 'sg-sweep-cache-'))
const dbPath = join(dir, 'supervisor.db')
let A: Anvil
let B: Anvil
let a: DevChain
let b: DevChain
let sup: Supervisor
let viaSupervisor: Sweep
let viaIndex: Sweep
const registry = new Registry()
const cap = captureLog()
const m = {} as { kept: InitiatingMessage; reorged: InitiatingMessage }
const tx = {} as Record<'dependsOnReorged' | 'dependsOnBoth' | 'valid' | 'future', Hex>

const rpc = <T>(c: DevChain, method: string, params: unknown[] = []) =>
  c.client.request({ method: method as never, params: params as never }) as Promise<T>

async function sender(): Promise<DevSigner> {
  const s = new DevSigner(generatePrivateKey())
  await rpc(b, 'anvil_setBalance', [s.account.address, '0x56bc75e2d63100000'])
  return s
}

const nameOf = (hash: Hex) => Object.entries(tx).find(([, h]) => h === hash)?.[0] ?? hash
const actions = (r: SweepReport) =>
  Object.fromEntries(
    r.transactions.map((t) => [nameOf(t.hash), t.action === 'keep' ? 'keep' : `${t.action} ${t.code}`]),
  )

test('sweep: second round from the cache; a source reorg drops exactly what reads the reorged block', async () => {
  ;[A, B] = await Promise.all([startAnvil({ chainId: 901 }), startAnvil({ chainId: 902, args: ['--no-mining'] })])
  ;[a, b] = await Promise.all([setupChain(A.url), setupChain(B.url)])
  const emitter = new DevSigner()
  m.kept = (await emitInitiating(a, emitter))[0]!
  m.reorged = (await emitInitiating(a, emitter))[0]!
  sup = await startSupervisor(
    supervisorConfig({
      argv: ['--rpc', A.url, '--rpc', B.url, '--port', '0', '--poll', '50ms', '--db', dbPath, '--log-level', 'silent'],
    }),
    { progress: false },
  )
  await sup.ready
  await untilIndexed(
    sup.indexer!,
    'A cross-unsafe at the second message',
    () => (sup.indexer!.reader.head(901n, 'cross-unsafe')?.number ?? -1n) >= m.reorged.identifier.blockNumber,
  )
  const future = {
    ...m.kept,
    identifier: { ...m.kept.identifier, blockNumber: m.reorged.identifier.blockNumber + 1000n },
  }
  const raws = {
    dependsOnReorged: await signExecuting(b, await sender(), m.reorged, accessListEntries([m.reorged]), 0),
    dependsOnBoth: await signExecuting(b, await sender(), m.reorged, accessListEntries([m.kept, m.reorged]), 0),
    valid: await signExecuting(b, await sender(), m.kept, accessListEntries([m.kept]), 0),
    future: await signExecuting(b, await sender(), future, accessListEntries([future]), 0),
  }
  for (const [k, raw] of Object.entries(raws))
    tx[k as keyof typeof tx] = await rpc<Hex>(b, 'eth_sendRawTransaction', [raw])
  viaSupervisor = await startSweep(
    { rpc: B.url, mode: 'supervisor', supervisor: sup.url, verdictTtlMs: '1h', threads: 1, failsafePoll: 0 },
    { logger: cap.logger, registry },
  )
  viaIndex = await startSweep(
    { rpc: B.url, mode: 'index', index: dbPath, verdictTtlMs: '1h', threads: 1 },
    { logger: createLogger('silent') },
  )

  for (const sweep of [viaSupervisor, viaIndex]) {
    const r1 = await sweep.runOnce()
    assert.equal(actions(r1), {
      dependsOnReorged: 'valid 0',
      dependsOnBoth: 'valid 0',
      valid: 'valid 0',
      future: 'keep',
    })
    assert.equal(r1.cache, { hits: 0, misses: 4, invalidated: { reorg: 0, expired: 0, gone: 0 } })
    assert.equal([r1.read?.how, r1.read?.why], ['full', 'start'])

    const r2 = await sweep.runOnce()
    assert.equal(actions(r2), actions(r1))
    assert.equal(r2.cache, { hits: 3, misses: 1, invalidated: { reorg: 0, expired: 0, gone: 0 } })
    assert.equal(r2.accesses, { declared: 1, unique: 1, chunks: 1 }, 'only the kept one is checked again')
    assert.is(r2.read?.how, 'incremental')
    for (const k of ['collect', 'read', 'parse', 'reorg', 'cache', 'plan', 'check', 'classify', 'actions', 'total'])
      assert.type(r2.durationsMs[k as keyof SweepReport['durationsMs']], 'number', k)
  }

  const number = m.reorged.identifier.blockNumber
  const before = (await a.client.getBlock({ blockNumber: number })).hash
  await rpc(a, 'anvil_reorg', [1, []])
  await rpc(a, 'evm_mine')
  const after = (await a.client.getBlock({ blockNumber: number })).hash
  assert.is.not(after, before)
  await untilIndexed(
    sup.indexer!,
    'the replacement block indexed',
    () => sup.indexer!.reader.block(901n, number)?.hash === after,
  )

  const conflict = `evict ${RpcCode.ConflictingData}`
  for (const [name, sweep] of [
    ['supervisor mode (interop_getBlockHashByNumber)', viaSupervisor],
    ['index mode (the index file)', viaIndex],
  ] as const) {
    const r3 = await sweep.runOnce()
    assert.equal(
      actions(r3),
      { dependsOnReorged: conflict, dependsOnBoth: conflict, valid: 'valid 0', future: 'keep' },
      name,
    )
    assert.equal(r3.cache, { hits: 1, misses: 3, invalidated: { reorg: 2, expired: 0, gone: 0 } }, name)
    assert.not.ok(r3.byCode['evict:SourceReorged'], 'without --evict-on-reorg the checks decide')
  }
  const lines = cap.lines.filter((l) => String(l.msg).startsWith('source chain reorged'))
  assert.equal(
    lines.map((l) => [l.msg, l.chainId, l.fromBlock, l.transactions]),
    [
      [
        'source chain reorged: re-checking every interop transaction with an access at or above the reorged height',
        '901',
        Number(number),
        3, // the future one reads a height above the reorged one too
      ],
    ],
  )

  // A block of B takes every transaction (the block filter reports it): the one cached entry goes.
  await rpc(b, 'evm_mine')
  const r4 = await viaSupervisor.runOnce()
  assert.is(r4.cache?.invalidated.gone, 1)
  assert.is(r4.pool.interop, 0)

  const metrics = await registry.metrics()
  assert.match(metrics, /^superguard_sweep_source_reorgs_total\{chain_id="901"\} 1$/m)
  assert.not.match(metrics, /^superguard_sweep_reorg_evictions_total\{/m)
  assert.match(metrics, /^superguard_sweep_verdict_cache_total\{result="hit"\} 4$/m)
  assert.match(metrics, /^superguard_sweep_verdict_cache_invalidated_total\{reason="reorg"\} 2$/m)
  assert.match(metrics, /^superguard_sweep_verdict_cache_invalidated_total\{reason="gone"\} 1$/m)
  assert.match(metrics, /^superguard_sweep_txpool_reads_total\{how="full",why="start"\} 1$/m)
  for (const phase of ['read', 'parse', 'reorg', 'cache', 'plan', 'check', 'classify', 'actions'])
    assert.match(metrics, new RegExp(`^superguard_sweep_phase_seconds\\{phase="${phase}"\\} `, 'm'), phase)
})

test.after(async () => {
  await Promise.all([viaSupervisor?.close(), viaIndex?.close()])
  await sup?.close()
  await Promise.all([A?.stop(), B?.stop()])
  rmSync(dir, { recursive: true, force: true })
})

test.run()
