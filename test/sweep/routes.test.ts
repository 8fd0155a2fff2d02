import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { generatePrivateKey } from 'viem/accounts'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import { startLyingSupervisor } from '../../src/devnet/liar/lyingSupervisor.js'
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
import { type Sweep, SweepCode, type SweepConfig, type SweepReport, startSweep } from '../../src/sweep/index.js'
import { createLogger } from '../../src/util/logger.js'
import { runCli } from '../_helpers/cli.js'
import { deadUrl } from '../_helpers/supervisorDouble.js'
import { untilIndexed } from '../_helpers/untilIndexed.js'

// The sweep over a log index partitioned by source chain: real anvil chains A (900) and C (902)
// emit, B (901, --no-mining) holds the interop transactions in its txpool; supervisor SA indexes A,
// SC indexes C (each also B, the executing chain). The sweep routes each chunk's accesses to the
// supervisor of their chain (--route 900=SA --route 902=SC); a reorg of C then removes the
// initiating log under the second part of a transaction that touches both chains.
const logger = createLogger('silent')
let anvils: Anvil[] = []
let A: DevChain, B: DevChain, C: DevChain
let SA: Supervisor, SC: Supervisor
let onA: InitiatingMessage, onC: InitiatingMessage
let dead: string
const sweeps: Sweep[] = []
const tx = {} as Record<'both' | 'aOnly' | 'forgedC' | 'unrouted', Hex>

async function sweep(over: Partial<SweepConfig> = {}): Promise<Sweep> {
  const s = await startSweep(
    { rpc: B.url, mode: 'supervisor', route: [`900=${SA.url}`, `902=${SC.url}`], threads: 1, failsafePoll: 0, ...over },
    { logger },
  )
  sweeps.push(s)
  return s
}

const nameOf = (hash: Hex) => Object.entries(tx).find(([, h]) => h === hash)?.[0] ?? hash
const verdicts = (r: SweepReport) =>
  Object.fromEntries(r.transactions.map((t) => [nameOf(t.hash), `${t.action} ${t.code}`]))

async function routeChecks(s: Sweep): Promise<Record<string, number>> {
  const m = await s.registry.getSingleMetric('superguard_sweep_route_checks_total')?.get()
  return Object.fromEntries((m?.values ?? []).map((v) => [`${v.labels.route} ${v.labels.result}`, v.value]))
}

test.before(async () => {
  anvils = await Promise.all([
    startAnvil({ chainId: 900 }),
    startAnvil({ chainId: 901, args: ['--no-mining'] }),
    startAnvil({ chainId: 902 }),
  ])
  const chains = await Promise.all(anvils.map((a) => setupChain(a.url)))
  ;[A, B, C] = [chains[0]!, chains[1]!, chains[2]!]
  const argv = (source: DevChain) => [
    ...['--rpc', source.url, '--rpc', B.url],
    ...['--port', '0', '--backend', 'index', '--db', ':memory:', '--poll', '50ms', '--log-level', 'silent'],
  ]
  ;[SA, SC] = await Promise.all([
    startSupervisor(supervisorConfig({ argv: argv(A) }), { progress: false }),
    startSupervisor(supervisorConfig({ argv: argv(C) }), { progress: false }),
  ])
  await Promise.all([SA.ready, SC.ready])
  const emitter = new DevSigner()
  ;[onA, onC] = [(await emitInitiating(A, emitter))[0]!, (await emitInitiating(C, emitter))[0]!]
  await Promise.all([
    SA.indexer!.until(900n, 'cross-unsafe', onA.identifier.blockNumber),
    SC.indexer!.until(902n, 'cross-unsafe', onC.identifier.blockNumber),
  ])
  dead = await deadUrl()

  // A fresh funded sender per transaction: each sits at nonce 0 in B's txpool.
  const send = async (msgs: InitiatingMessage[]) => {
    const s = new DevSigner(generatePrivateKey())
    await B.client.request({
      method: 'anvil_setBalance' as never,
      params: [s.account.address, '0x56bc75e2d63100000'] as never,
    })
    const raw = await signExecuting(B, s, onA, accessListEntries(msgs), 0)
    return (await B.client.request({ method: 'eth_sendRawTransaction', params: [raw] })) as Hex
  }
  const forgedC = { ...onC, payloadHash: `0x${'5a'.repeat(32)}` as Hex }
  const elsewhere = { ...onA, identifier: { ...onA.identifier, chainId: 777n } }
  tx.both = await send([onA, onC])
  tx.aOnly = await send([onA])
  tx.forgedC = await send([onA, forgedC])
  tx.unrouted = await send([onA, elsewhere])
})

test.after(async () => {
  await Promise.all(sweeps.map((s) => s.close()))
  await Promise.all([SA?.close(), SC?.close()])
  await Promise.all(anvils.map((a) => a.stop()))
})

let reorgWatching: Sweep

test('each access goes to its chain: both parts valid, a forged part on C evicted, no route kept (-320501)', async () => {
  const s = await sweep()
  const r = await s.runOnce()
  assert.equal(verdicts(r), {
    both: 'valid 0',
    aOnly: 'valid 0',
    forgedC: `evict ${RpcCode.ConflictingData}`,
    unrouted: `keep ${RpcCode.UnknownChain}`,
  })
  assert.is(r.accesses.unique, 4, 'the A access is checked once for four transactions')
  assert.equal(await routeChecks(s), { '900 valid': 1, '902 valid': 1, '902 invalid': 1, 'none unrouted': 1 })
  // the same round with --evict-on-reorg remembers the source blocks, per route
  reorgWatching = await sweep({ evictOnReorg: true })
  assert.equal(verdicts(await reorgWatching.runOnce()), verdicts(r))
})

test("a route down keeps its chain's transactions (no verdict); a failover list asks the next supervisor", async () => {
  const down = await sweep({ route: [`900=${SA.url}`, `902=${dead}`] })
  const r = await down.runOnce()
  assert.equal(verdicts(r), {
    both: `keep 2`,
    aOnly: 'valid 0',
    forgedC: 'keep 2',
    unrouted: `keep ${RpcCode.UnknownChain}`,
  })
  assert.is((await routeChecks(down))['902 unanswered'], 2)
  const failover = await sweep({ route: [`900=${SA.url}`, `902=${dead}`, `902=${SC.url}`] })
  assert.equal(verdicts(await failover.runOnce()), {
    both: 'valid 0',
    aOnly: 'valid 0',
    forgedC: `evict ${RpcCode.ConflictingData}`,
    unrouted: `keep ${RpcCode.UnknownChain}`,
  })
})

test('after a reorg of C removes the initiating log, the transaction whose C part it was is evicted', async () => {
  const number = onC.identifier.blockNumber
  const rpc = (method: string, params: unknown[]) =>
    C.client.request({ method: method as never, params: params as never })
  const before = (await C.client.getBlock({ blockNumber: number })).hash
  await rpc('anvil_reorg', [1, []])
  await rpc('evm_mine', [])
  const after = (await C.client.getBlock({ blockNumber: number })).hash
  assert.is.not(after, before)
  await untilIndexed(
    SC.indexer!,
    'the replacement block of C indexed',
    () =>
      SC.indexer!.reader.block(902n, number)?.hash === after &&
      (SC.indexer!.reader.head(902n, 'cross-unsafe')?.number ?? -1n) >= number,
  )
  const r = await sweeps[0]!.runOnce()
  assert.equal(verdicts(r), {
    both: `evict ${RpcCode.ConflictingData}`,
    aOnly: 'valid 0',
    forgedC: `evict ${RpcCode.ConflictingData}`,
    unrouted: `keep ${RpcCode.UnknownChain}`,
  })
  const watched = verdicts(await reorgWatching.runOnce())
  assert.is(watched.both, 'evict 6', '--evict-on-reorg: the block hash asked of C’s own route changed')
  assert.is(watched.aOnly, 'valid 0')
})

test('--vote: one lying supervisor of three can neither evict a valid transaction nor keep a forged one', async () => {
  // A forged message on A, beside the valid one (tx.aOnly): both only need SA, which indexes A and B.
  const signer = new DevSigner(generatePrivateKey())
  await B.client.request({
    method: 'anvil_setBalance' as never,
    params: [signer.account.address, '0x56bc75e2d63100000'] as never,
  })
  const forged = { ...onA, payloadHash: `0x${'5a'.repeat(32)}` as Hex }
  const raw = await signExecuting(B, signer, onA, accessListEntries([forged]), 0)
  const forgedA = (await B.client.request({ method: 'eth_sendRawTransaction', params: [raw] })) as Hex
  const liar = await startLyingSupervisor({ upstream: SA.url, host: '127.0.0.1', port: 0, log: logger })
  try {
    liar.setLying(true)
    const of = (r: SweepReport) => {
      const v = verdicts(r)
      return { aOnly: v.aOnly, forgedA: v[forgedA] }
    }
    // One access per call: the liar turns each answer around (a call of several accesses is one answer).
    // Trusting the liar alone: the valid transaction is evicted, the forged one judged valid.
    const alone = await sweep({ route: [], accessesPerCall: 1, supervisor: liar.url })
    assert.equal(of(await alone.runOnce()), { aOnly: `evict ${RpcCode.ConflictingData}`, forgedA: 'valid 0' })
    // The liar outvoted by two honest answers (the same honest supervisor asked twice here).
    const three = await sweep({ route: [], accessesPerCall: 1, supervisor: SA.url, vote: [liar.url, SA.url] })
    assert.equal(of(await three.runOnce()), { aOnly: 'valid 0', forgedA: `evict ${RpcCode.ConflictingData}` })
    const votes = await three.registry.getSingleMetric('superguard_sweep_votes_total')?.get()
    assert.ok(votes?.values.some((v) => v.labels.result === 'agreed' && v.value > 0))
    // One against one: no majority, both kept and asked again next round.
    const two = await sweep({ route: [], accessesPerCall: 1, supervisor: SA.url, vote: [liar.url] })
    const r = await two.runOnce()
    assert.equal(of(r), { aOnly: `keep ${SweepCode.NoMajority}`, forgedA: `keep ${SweepCode.NoMajority}` })
    assert.ok(liar.lies.toInvalid > 0 && liar.lies.toValid > 0)
  } finally {
    await liar.close()
  }
})

test('--route outside supervisor mode, and bad values, are a one-line start-up error (exit 2)', async () => {
  const r = await runCli(['sweep', '--chain-id', '901', '--mode', 'index', '--index', '/x.db', '--route', '902'])
  assert.is(r.code, 2)
  assert.match(r.stderr, /--route "902": expected CHAINID=URL/)
  assert.match(r.stderr, /--route applies to --mode supervisor: --mode index reads one local index file/)
  const v = await runCli(['sweep', '--chain-id', '901', '--mode', 'index', '--index', '/x.db', '--vote', 'nope'])
  assert.is(v.code, 2)
  assert.match(v.stderr, /--vote applies to --mode supervisor with --supervisor URL and no --route/)
  assert.match(v.stderr, /--vote "nope": expected an http\(s\) URL/)
})

test.run()
