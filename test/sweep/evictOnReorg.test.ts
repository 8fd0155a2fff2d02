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
import type { Hex } from '../../src/interop/index.js'
import { type Supervisor, startSupervisor, supervisorConfig } from '../../src/supervisor/index.js'
import { type Sweep, SweepCode, type SweepReport, startSweep } from '../../src/sweep/index.js'
import { createLogger } from '../../src/util/logger.js'
import { captureLog } from '../_helpers/captureLog.js'
import { untilIndexed } from '../_helpers/untilIndexed.js'

// --evict-on-reorg on real processes: source chain A (901, anvil, auto-mining), executing chain B
// (902, --no-mining: interop transactions stay in its txpool), a supervisor indexing both. A real
// reorg of A's last block (anvil_reorg) then evicts every transaction with an access on A at or
// above the reorged height, in supervisor mode (interop_getBlockHashByNumber) and index mode (the
// index file), while a sweep without the option only evicts what the checks refuse.

const dir = mkdtempSync(join(tmpdir(), 'sg-sweep-evict-reorg-'))
const dbPath = join(dir, 'supervisor.db')
let A: Anvil
let B: Anvil
let a: DevChain
let b: DevChain
let sup: Supervisor
const sweeps: Record<'supervisor' | 'index' | 'rpc' | 'plain', Sweep> = {} as never
const registries = { supervisor: new Registry(), index: new Registry() }
const cap = captureLog()
/** kept: initiated in block N, below the reorg; reorged: initiated in block N+1, replaced by it. */
const m = {} as { kept: InitiatingMessage; reorged: InitiatingMessage }
const tx = {} as Record<'dependsOnReorged' | 'dependsOnBoth' | 'valid' | 'future', Hex>

const rpc = <T>(c: DevChain, method: string, params: unknown[] = []) =>
  c.client.request({ method: method as never, params: params as never }) as Promise<T>

async function sender(): Promise<DevSigner> {
  const s = new DevSigner(generatePrivateKey())
  await rpc(b, 'anvil_setBalance', [s.account.address, '0x56bc75e2d63100000'])
  return s
}

test.before(async () => {
  ;[A, B] = await Promise.all([startAnvil({ chainId: 901 }), startAnvil({ chainId: 902, args: ['--no-mining'] })])
  ;[a, b] = await Promise.all([setupChain(A.url), setupChain(B.url)])
  const emitter = new DevSigner()
  m.kept = (await emitInitiating(a, emitter))[0]!
  m.reorged = (await emitInitiating(a, emitter))[0]!
  assert.is(m.reorged.identifier.blockNumber, m.kept.identifier.blockNumber + 1n)
  sup = await startSupervisor(
    supervisorConfig({
      argv: ['--rpc', A.url, '--rpc', B.url, '--port', '0', '--poll', '50ms', '--db', dbPath, '--log-level', 'silent'],
    }),
    { progress: false },
  )
  await sup.ready
  await untilIndexed(
    sup.indexer!,
    'A cross-unsafe at the reorged message',
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

  const silent = createLogger('silent')
  sweeps.supervisor = await startSweep(
    { rpc: B.url, mode: 'supervisor', supervisor: sup.url, evictOnReorg: true, threads: 1, failsafePoll: 0 },
    { logger: cap.logger, registry: registries.supervisor },
  )
  sweeps.index = await startSweep(
    { rpc: B.url, mode: 'index', index: dbPath, evictOnReorg: true, threads: 1 },
    { logger: silent, registry: registries.index },
  )
  sweeps.rpc = await startSweep(
    { rpc: B.url, mode: 'rpc', chainRpc: [A.url, B.url], evictOnReorg: true, threads: 1 },
    { logger: silent },
  )
  sweeps.plain = await startSweep({ rpc: B.url, mode: 'index', index: dbPath, threads: 1 }, { logger: silent })
})

test.after(async () => {
  await Promise.all(Object.values(sweeps).map((s) => s.close()))
  await sup?.close()
  await Promise.all([A?.stop(), B?.stop()])
  rmSync(dir, { recursive: true, force: true })
})

const nameOf = (hash: Hex) => Object.entries(tx).find(([, h]) => h === hash)?.[0] ?? hash
const actions = (r: SweepReport) =>
  Object.fromEntries(
    r.transactions.map((t) => [nameOf(t.hash), t.action === 'keep' ? 'keep' : `${t.action} ${t.code}`]),
  )

test('before the reorg nothing is evicted: the blocks read are remembered', async () => {
  for (const name of ['supervisor', 'index', 'rpc', 'plain'] as const)
    assert.equal(
      actions(await sweeps[name].runOnce()),
      { dependsOnReorged: 'valid 0', dependsOnBoth: 'valid 0', valid: 'valid 0', future: 'keep' },
      name,
    )
})

test('a reorg of A from block N+1 evicts every transaction reading A at N+1 or above, without a check', async () => {
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

  const reorged = `evict ${SweepCode.SourceReorged}`
  const expected = { dependsOnReorged: reorged, dependsOnBoth: reorged, valid: 'valid 0', future: reorged }
  const viaSupervisor = await sweeps.supervisor.runOnce()
  assert.equal(actions(viaSupervisor), expected, 'supervisor mode (interop_getBlockHashByNumber)')
  assert.equal(actions(await sweeps.index.runOnce()), expected, 'index mode (the index file)')
  assert.equal(actions(await sweeps.rpc.runOnce()), expected, "rpc mode (the chain's eth_getBlockByNumber)")
  const reason = viaSupervisor.transactions.find((t) => t.hash === tx.dependsOnReorged)!.reason
  assert.is(reason, `source chain 901 reorged from block ${number}; this transaction reads block ${number}`)
  assert.equal(viaSupervisor.byCode, { 'evict:SourceReorged': 3 })
  assert.equal(
    actions(await sweeps.plain.runOnce()),
    {
      dependsOnReorged: `evict ${RpcCode.ConflictingData}`,
      dependsOnBoth: `evict ${RpcCode.ConflictingData}`,
      valid: 'valid 0',
      future: 'keep',
    },
    'without the option only the checks decide',
  )

  const lines = cap.lines.filter((l) => String(l.msg).startsWith('source chain reorged'))
  assert.equal(
    lines.map((l) => [l.chainId, l.fromBlock, l.transactions]),
    [['901', Number(number), 3]],
  )
  const metrics = await registries.supervisor.metrics()
  assert.match(metrics, /^superguard_sweep_source_reorgs_total\{chain_id="901"\} 1$/m)
  assert.match(metrics, /^superguard_sweep_reorg_evictions_total\{chain_id="901"\} 3$/m)

  // The reorg is acted on once: the next round checks the survivors as usual (heights re-read).
  assert.equal(actions(await sweeps.supervisor.runOnce()), {
    dependsOnReorged: `evict ${RpcCode.ConflictingData}`,
    dependsOnBoth: `evict ${RpcCode.ConflictingData}`,
    valid: 'valid 0',
    future: 'keep',
  })
})

test.run()
