import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
import { type Sweep, type SweepReport, startSweep } from '../../src/sweep/index.js'
import { createLogger } from '../../src/util/logger.js'
import { runCli, spawnCli } from '../_helpers/cli.js'
import { untilIndexed } from '../_helpers/untilIndexed.js'

// Real processes on 127.0.0.1: source chain A (901, auto-mining), executing chain B (902,
// --no-mining, so interop transactions stay in its txpool), the supervisor indexing both, and
// sweeps of B's txpool in all three modes: supervisor (batch JSON-RPC, --drop, --notify), index (the
// supervisor's SQLite file, read-only, in workers) and rpc (eth_getLogs). A reorg of A then removes
// one initiating log.

const dir = mkdtempSync(join(tmpdir(), 'sg-sweep-reorg-'))
const dbPath = join(dir, 'supervisor.db')
let A: Anvil
let B: Anvil
let a: DevChain
let b: DevChain
let sup: Supervisor
let viaSupervisor: Sweep
let viaIndex: Sweep
let builder: Server
const notices: { chainID: string; transactions: { hash: Hex; code: number; reason: string }[] }[] = []
/** kept: initiated in block N, survives the reorg; reorged: initiated in block N+1, removed by it. */
const m = {} as { kept: InitiatingMessage; reorged: InitiatingMessage }
const tx = {} as Record<'dependsOnReorged' | 'dependsOnBoth' | 'valid' | 'forged' | 'transient', Hex>

const rpc = <T>(c: DevChain, method: string, params: unknown[] = []) =>
  c.client.request({ method: method as never, params: params as never }) as Promise<T>
const crossHead = (chainId: bigint) => sup.indexer!.reader.head(chainId, 'cross-unsafe')?.number ?? -1n

/** A fresh funded sender per transaction: dropping one never strands another's nonce. */
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
    () => crossHead(901n) >= m.reorged.identifier.blockNumber,
  )

  const entries = (...msgs: InitiatingMessage[]) => accessListEntries(msgs)
  const [lookup] = entries(m.kept)
  const future = {
    ...m.kept,
    identifier: { ...m.kept.identifier, blockNumber: m.reorged.identifier.blockNumber + 1000n },
  }
  const raws = {
    dependsOnReorged: await signExecuting(b, await sender(), m.reorged, entries(m.reorged), 0),
    dependsOnBoth: await signExecuting(b, await sender(), m.reorged, entries(m.kept, m.reorged), 0),
    valid: await signExecuting(b, await sender(), m.kept, entries(m.kept), 0),
    forged: await signExecuting(b, await sender(), m.kept, [lookup!, `0x03${'5a'.repeat(31)}`], 0),
    transient: await signExecuting(b, await sender(), future, entries(future), 0),
  }
  for (const [k, raw] of Object.entries(raws))
    tx[k as keyof typeof tx] = await rpc<Hex>(b, 'eth_sendRawTransaction', [raw])

  builder = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString()
    })
    req.on('end', () => {
      const msg = JSON.parse(body)
      if (msg.method === 'builder_evictTransactions') notices.push(msg.params[0])
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: null }))
    })
  })
  await new Promise<void>((ok) => builder.listen(0, '127.0.0.1', ok))
  const logger = createLogger('silent')
  viaSupervisor = await startSweep(
    {
      rpc: B.url,
      mode: 'supervisor',
      supervisor: sup.url,
      drop: true,
      notify: [`http://127.0.0.1:${(builder.address() as AddressInfo).port}`],
      threads: 1,
    },
    { logger },
  )
  viaIndex = await startSweep({ rpc: B.url, mode: 'index', index: dbPath, threads: 1 }, { logger })
})

test.after(async () => {
  await Promise.all([viaSupervisor?.close(), viaIndex?.close()])
  builder?.close()
  await sup?.close()
  await Promise.all([A?.stop(), B?.stop()])
  rmSync(dir, { recursive: true, force: true })
})

/** The test's name for a transaction hash (tx is filled in before()). */
const nameOf = (hash: Hex) => Object.entries(tx).find(([, h]) => h === hash)?.[0] ?? hash
const verdicts = (r: SweepReport) =>
  Object.fromEntries(r.transactions.map((t) => [nameOf(t.hash), `${t.action} ${t.code}`]))
/**
 * One round in rpc mode, on a fresh sweep: its workers' RPC backend caches blocks for its poll
 * interval, and a fresh one reads the chain as it is now, with no time to wait out.
 */
async function rpcModeRound(): Promise<SweepReport> {
  const sweep = await startSweep(
    { rpc: B.url, mode: 'rpc', chainRpc: [A.url, B.url], threads: 1 },
    { logger: createLogger('silent') },
  )
  try {
    return await sweep.runOnce()
  } finally {
    await sweep.close()
  }
}

const pooled = async () => {
  const c = await rpc<{ pending: Record<string, Record<string, { hash: Hex }>> }>(b, 'txpool_content')
  return Object.values(c.pending)
    .flatMap((byNonce) => Object.values(byNonce).map((t) => nameOf(t.hash)))
    .sort()
}

test('before the reorg: the forged transaction is evicted (and dropped), the transient one kept', async () => {
  const index = await viaIndex.runOnce()
  const expected = {
    dependsOnReorged: 'valid 0',
    dependsOnBoth: 'valid 0',
    valid: 'valid 0',
    forged: `evict ${RpcCode.ConflictingData}`,
    transient: `keep ${RpcCode.OutOfScope}`,
  }
  assert.equal(verdicts(index), expected, 'index mode')
  assert.is(index.accesses.declared, 6)
  assert.is(index.accesses.unique, 4, 'the access to the kept message is checked once for three transactions')
  assert.equal(verdicts(await rpcModeRound()), expected, 'rpc mode (eth_getLogs backend) gives the same verdicts')
  const supervisor = await viaSupervisor.runOnce()
  assert.equal(verdicts(supervisor), expected, 'supervisor mode gives the same verdicts')
  assert.is(supervisor.actions.dropped, 1)
  assert.equal(await pooled(), ['dependsOnBoth', 'dependsOnReorged', 'transient', 'valid'])
  assert.equal(
    notices.flatMap((n) => n.transactions.map((t) => nameOf(t.hash))),
    ['forged'],
  )
  assert.is(notices[0]!.chainID, '902')
})

test('after a reorg removes an initiating log, one round evicts exactly its dependents and keeps the rest', async () => {
  const number = m.reorged.identifier.blockNumber
  const before = (await a.client.getBlock({ blockNumber: number })).hash
  await rpc(a, 'anvil_reorg', [1, []])
  await rpc(a, 'evm_mine')
  const after = (await a.client.getBlock({ blockNumber: number })).hash
  assert.is.not(after, before)
  const indexed = () => sup.indexer!.reader.block(901n, number)?.hash
  await untilIndexed(
    sup.indexer!,
    'the replacement block indexed',
    () => indexed() === after && crossHead(901n) >= number,
  )
  assert.is(
    sup.indexer!.reader.findLog(901n, number, m.reorged.identifier.logIndex),
    undefined,
    'the initiating log is gone from the index',
  )

  const expected = {
    dependsOnReorged: `evict ${RpcCode.ConflictingData}`,
    dependsOnBoth: `evict ${RpcCode.ConflictingData}`,
    valid: 'valid 0',
    transient: `keep ${RpcCode.OutOfScope}`,
  }
  const index = await viaIndex.runOnce()
  assert.equal(verdicts(index), expected, 'index mode')
  assert.equal(verdicts(await rpcModeRound()), expected, 'rpc mode')
  const supervisor = await viaSupervisor.runOnce()
  assert.equal(verdicts(supervisor), expected, 'supervisor mode')
  assert.equal(supervisor.counts, { valid: 1, evict: 2, keep: 1, expired: 0, parseErrors: 0 })
  assert.is(supervisor.actions.dropped, 2)
  assert.equal(await pooled(), ['transient', 'valid'])
  assert.equal(
    notices
      .at(-1)!
      .transactions.map((t) => nameOf(t.hash))
      .sort(),
    ['dependsOnBoth', 'dependsOnReorged'],
  )
})

test('the CLI one-shot prints the same round as JSON', async () => {
  const { code, stdout, stderr } = await runCli([
    'sweep',
    '--rpc',
    B.url,
    '--supervisor',
    sup.url,
    '--threads',
    '1',
    '--json',
  ])
  assert.is(code, 0, stderr)
  const report = JSON.parse(stdout) as SweepReport
  assert.equal(verdicts(report), { valid: 'valid 0', transient: `keep ${RpcCode.OutOfScope}` })
  const table = await runCli(['sweep', '--rpc', B.url, '--mode', 'index', '--index', dbPath, '--threads', '1'])
  assert.is(table.code, 0, table.stderr)
  assert.match(table.stdout, /TRANSACTION\s+VERDICT\s+CODE\s+REASON/)
  assert.match(table.stdout, new RegExp(`${tx.transient}\\s+keep\\s+OutOfScope \\(-321100\\)`))
  assert.match(
    table.stdout,
    /2 interop transactions of 2 in the pool \(txpool, index mode, chain 902\): 1 valid, 0 evict/,
  )
})

test('the CLI interval loop: one summary line per round, /metrics, clean exit on SIGINT', async () => {
  const child = spawnCli([
    'sweep',
    '--rpc',
    B.url,
    '--supervisor',
    sup.url,
    '--interval',
    '100ms',
    '--json',
    '--metrics-port',
    '0',
    '--threads',
    '1',
  ])
  let out = ''
  let err = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  try {
    const ready = await new Promise<{ lines: Record<string, unknown>[]; metricsUrl: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no two rounds within 20 s: ${out} ${err}`)), 20_000)
      const check = () => {
        const lines = out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>)
        const url = /"url":"([^"]+\/metrics)"/.exec(err)?.[1]
        if (lines.length >= 2 && url) {
          clearTimeout(timer)
          resolve({ lines, metricsUrl: url })
        }
      }
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString()
        check()
      })
      child.stderr!.on('data', (c: Buffer) => {
        err += c.toString()
        check()
      })
      exited.then(() => reject(new Error(`exited early: ${err}`)))
    })
    assert.equal(
      ready.lines.slice(0, 2).map((l) => l.round),
      [1, 2],
    )
    assert.equal(ready.lines[0]!.counts, { valid: 1, evict: 0, keep: 1, expired: 0, parseErrors: 0 })
    assert.not.ok('transactions' in ready.lines[0]!, 'interval lines are summaries')
    const metrics = await (await fetch(ready.metricsUrl)).text()
    assert.match(metrics, /superguard_sweep_rounds_total\{result="ok"\} \d+/)
  } finally {
    child.kill('SIGINT')
  }
  assert.is(await exited, 0, err)
})

test.run()
