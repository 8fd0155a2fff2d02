import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { EMITTER_ADDRESS } from '../../src/devnet/contracts.js'
import {
  accessListEntries,
  emitInitiating,
  emitterCalldata,
  type InitiatingMessage,
  sendExecuting,
  signExecuting,
} from '../../src/devnet/messages.js'
import { EXPIRY_WINDOW_S, type Hex, type Identifier, payloadHash } from '../../src/interop/index.js'
import { signJwt } from '../../src/rpc/index.js'
import { type Supervisor, startSupervisor, supervisorConfig } from '../../src/supervisor/index.js'
import { bytesToHex, toQuantity } from '../../src/util/hex.js'
import { type InteropChain, startInteropChains } from '../_helpers/interopChains.js'
import { answerCode, jsonRpc } from '../_helpers/jsonRpc.js'
import { untilIndexed } from '../_helpers/untilIndexed.js'

// Two real anvil chains, both backends on them at once: every case of the issue with its exact
// code on each backend (so the backends agree), failsafe and admin auth over HTTP, status shapes,
// a block with an invalid executing message, and a reorg that flips verdicts on both.

const dir = mkdtempSync(join(tmpdir(), 'sg-supervisor-e2e-'))
const secretFile = join(dir, 'jwt.hex')
const secret = randomBytes(32)
writeFileSync(secretFile, secret.toString('hex'))

let chains: Awaited<ReturnType<typeof startInteropChains>>
let a: InteropChain
let b: InteropChain
let index: Supervisor
let rpc: Supervisor
const m = {} as {
  old: InitiatingMessage
  a: InitiatingMessage[]
  b: InitiatingMessage
  b2: InitiatingMessage
  empty: { number: bigint; timestamp: bigint }
  execBlock: bigint
}

const mine = (c: InteropChain, method: string, params: unknown[] = []) =>
  c.client.request({ method: method as never, params: params as never })
const crossHead = (s: Supervisor, chainId: bigint) => s.indexer!.reader.head(chainId, 'cross-unsafe')?.number ?? -1n
const unsafeHead = (s: Supervisor, chainId: bigint) => s.indexer!.reader.head(chainId, 'unsafe')

test.before(async () => {
  chains = await startInteropChains()
  ;({ a, b } = chains)
  const { signer } = chains
  m.old = (await emitInitiating(a, signer))[0]!
  await mine(a, 'anvil_mine', ['0x46']) // 70 blocks: anvil's safe tag is head-32, finalized head-64
  m.a = await emitInitiating(a, signer, { count: 3 })
  m.b = (await emitInitiating(b, signer))[0]!
  m.execBlock = (await sendExecuting(b, signer, m.a[0]!)).blockNumber // a valid executing message on B
  m.b2 = (await emitInitiating(b, signer))[0]! // after it: cross-unsafe once B's executing block is
  await mine(a, 'evm_mine')
  const empty = await a.client.getBlock()
  m.empty = { number: empty.number, timestamp: empty.timestamp }

  const common = [
    '--rpc',
    a.url,
    '--rpc',
    `902=${b.url}`,
    '--port',
    '0',
    '--poll',
    '100ms',
    '--log-level',
    'silent',
    '--admin-jwt-secret',
    secretFile,
  ]
  ;[index, rpc] = await Promise.all([
    startSupervisor(supervisorConfig({ argv: [...common, '--db', join(dir, 'index', 'supervisor.db')] }), {
      progress: false,
    }),
    startSupervisor(supervisorConfig({ argv: [...common, '--backend', 'rpc'] }), { progress: false }),
  ])
  await Promise.all([index.ready, rpc.ready])
  await untilIndexed(
    index.indexer!,
    'cross-unsafe heads at the last blocks',
    () => crossHead(index, a.chainId) >= m.empty.number && crossHead(index, b.chainId) >= m.b2.identifier.blockNumber,
  )
})

test.after(async () => {
  await Promise.all([index?.close(), rpc?.close()])
  await chains?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const entries = (...msgs: InitiatingMessage[]) => accessListEntries(msgs)
const withId = (msg: InitiatingMessage, over: Partial<Identifier>): InitiatingMessage => ({
  identifier: { ...msg.identifier, ...over },
  payloadHash: msg.payloadHash,
})
const descFor = (chainId: bigint, timestamp: bigint, timeout?: bigint) => ({
  chainID: chainId.toString(),
  timestamp: toQuantity(timestamp),
  ...(timeout === undefined ? {} : { timeout: toQuantity(timeout) }),
})
/** Executed on the other chain, two seconds after the message. */
const execOf = (msg: InitiatingMessage) =>
  descFor(msg.identifier.chainId === 901n ? 902n : 901n, msg.identifier.timestamp + 2n)
const v2 = (msg: InitiatingMessage) => ({
  identifier: {
    origin: msg.identifier.origin,
    blockNumber: toQuantity(msg.identifier.blockNumber),
    logIndex: toQuantity(msg.identifier.logIndex),
    timestamp: toQuantity(msg.identifier.timestamp),
    chainID: toQuantity(msg.identifier.chainId),
  },
  payloadHash: msg.payloadHash,
})

type Case = { name: string; method?: string; params: () => unknown[]; code: number }

const CASES: Case[] = [
  { name: 'valid at unsafe', params: () => [entries(m.a[0]!), 'unsafe', execOf(m.a[0]!)], code: 0 },
  { name: 'valid at cross-unsafe', params: () => [entries(m.a[0]!), 'cross-unsafe', execOf(m.a[0]!)], code: 0 },
  {
    name: 'three accesses, interop_ name',
    method: 'interop_checkAccessList',
    params: () => [entries(...m.a), 'cross-unsafe', execOf(m.a[0]!)],
    code: 0,
  },
  {
    name: 'validateMessagesV2 valid',
    method: 'supervisor_validateMessagesV2',
    params: () => [[v2(m.a[1]!)], 'cross-unsafe', execOf(m.a[1]!)],
    code: 0,
  },
  { name: 'B message at unsafe', params: () => [entries(m.b), 'unsafe', execOf(m.b)], code: 0 },
  {
    name: 'B message after a valid executing block, cross-unsafe',
    method: 'supervisor_validateAccessList',
    params: () => [entries(m.b2), 'cross-unsafe', execOf(m.b2)],
    code: 0,
  },
  { name: 'old message at local-safe', params: () => [entries(m.old), 'local-safe', execOf(m.old)], code: 0 },
  { name: 'old message at safe', params: () => [entries(m.old), 'safe', execOf(m.old)], code: 0 },
  { name: 'old message at finalized', params: () => [entries(m.old), 'finalized', execOf(m.old)], code: 0 },
  { name: 'recent message not safe yet', params: () => [entries(m.a[0]!), 'safe', execOf(m.a[0]!)], code: -321401 },
  {
    name: 'recent message not finalized yet',
    params: () => [entries(m.a[0]!), 'finalized', execOf(m.a[0]!)],
    code: -321401,
  },
  {
    name: 'tampered payload',
    params: () => [entries({ ...m.a[0]!, payloadHash: bytesToHex(randomBytes(32)) }), 'unsafe', execOf(m.a[0]!)],
    code: -320600,
  },
  {
    name: 'tampered payload (V2)',
    method: 'supervisor_checkMessagesV2',
    params: () => [[{ ...v2(m.a[0]!), payloadHash: bytesToHex(randomBytes(32)) }], 'unsafe', execOf(m.a[0]!)],
    code: -320600,
  },
  {
    name: 'wrong log index',
    params: () => [entries(withId(m.a[0]!, { logIndex: 7 })), 'unsafe', execOf(m.a[0]!)],
    code: -320600,
  },
  {
    name: 'another log of the block',
    params: () => [entries(withId(m.a[0]!, { logIndex: 1 })), 'unsafe', execOf(m.a[0]!)],
    code: -320600,
  },
  {
    name: 'wrong timestamp',
    params: () => [
      entries(withId(m.a[0]!, { timestamp: m.a[0]!.identifier.timestamp - 1n })),
      'unsafe',
      execOf(m.a[0]!),
    ],
    code: -320600,
  },
  {
    name: 'wrong origin',
    params: () => [entries(withId(m.a[0]!, { origin: `0x${'12'.repeat(20)}` as Hex })), 'unsafe', execOf(m.a[0]!)],
    code: -320600,
  },
  {
    name: 'block without logs',
    params: () => [
      entries({
        identifier: { ...m.a[0]!.identifier, blockNumber: m.empty.number, timestamp: m.empty.timestamp, logIndex: 0 },
        payloadHash: m.a[0]!.payloadHash,
      }),
      'unsafe',
      descFor(902n, m.empty.timestamp + 2n),
    ],
    code: -320600,
  },
  {
    name: 'future block',
    params: () => [entries(withId(m.a[0]!, { blockNumber: m.empty.number + 1000n })), 'unsafe', execOf(m.a[0]!)],
    code: -321100,
  },
  {
    name: 'unknown initiating chain',
    params: () => [entries(withId(m.a[0]!, { chainId: 999n })), 'unsafe', execOf(m.a[0]!)],
    code: -320501,
  },
  {
    name: 'unknown executing chain',
    params: () => [entries(m.a[0]!), 'unsafe', descFor(999n, m.a[0]!.identifier.timestamp + 2n)],
    code: -320501,
  },
  {
    name: 'expired',
    params: () => [entries(m.a[0]!), 'unsafe', descFor(902n, m.a[0]!.identifier.timestamp + EXPIRY_WINDOW_S + 1n)],
    code: -320600,
  },
  {
    name: 'expires within the timeout',
    params: () => [entries(m.a[0]!), 'unsafe', descFor(902n, m.a[0]!.identifier.timestamp + 2n, EXPIRY_WINDOW_S)],
    code: -320600,
  },
  {
    name: 'same timestamp',
    params: () => [entries(m.a[0]!), 'unsafe', descFor(902n, m.a[0]!.identifier.timestamp)],
    code: -320600,
  },
  {
    name: 'executed before the message',
    params: () => [entries(m.a[0]!), 'unsafe', descFor(902n, m.a[0]!.identifier.timestamp - 1n)],
    code: -320600,
  },
  {
    name: 'malformed entries (lookup without checksum)',
    params: () => [entries(m.a[0]!).slice(0, 1), 'unsafe', execOf(m.a[0]!)],
    code: -32602,
  },
  {
    name: 'malformed entry after a bad access',
    params: () => [[...entries(withId(m.a[0]!, { chainId: 999n })), '0x1234'], 'unsafe', execOf(m.a[0]!)],
    code: -32602,
  },
  { name: 'unknown safety level', params: () => [entries(m.a[0]!), 'cross-safe', execOf(m.a[0]!)], code: -32602 },
  {
    name: 'descriptor without chainID',
    params: () => [entries(m.a[0]!), 'unsafe', { timestamp: toQuantity(m.a[0]!.identifier.timestamp + 2n) }],
    code: -32602,
  },
  {
    name: 'descriptor chainId spelling, hex',
    params: () => [
      entries(m.a[0]!),
      'unsafe',
      { chainId: '0x386', timestamp: toQuantity(m.a[0]!.identifier.timestamp + 2n) },
    ],
    code: 0,
  },
  {
    name: 'first failure answers',
    params: () => [
      [
        ...entries(m.a[0]!),
        ...entries(withId(m.a[0]!, { logIndex: 9 })),
        ...entries(withId(m.a[0]!, { chainId: 999n })),
      ],
      'unsafe',
      execOf(m.a[0]!),
    ],
    code: -320600,
  },
]

const check = (s: Supervisor, c: Case) => jsonRpc(s.url, c.method ?? 'supervisor_checkAccessList', c.params())

test('every case has its exact code, on both backends', async () => {
  const mismatches: string[] = []
  for (const c of CASES) {
    const [ix, rp] = await Promise.all([check(index, c), check(rpc, c)])
    if (answerCode(ix) !== c.code)
      mismatches.push(`index: ${c.name}: expected ${c.code}, got ${JSON.stringify(ix.error ?? ix.result)}`)
    if (answerCode(rp) !== c.code)
      mismatches.push(`rpc: ${c.name}: expected ${c.code}, got ${JSON.stringify(rp.error ?? rp.result)}`)
    if (answerCode(ix) !== answerCode(rp))
      mismatches.push(`${c.name}: backends disagree (${answerCode(ix)} vs ${answerCode(rp)})`)
  }
  assert.equal(mismatches, [])
  assert.ok(CASES.length >= 20)
})

test('a valid answer is JSON-RPC null; an error carries the op-supervisor wording', async () => {
  const ok = await jsonRpc(index.url, 'supervisor_checkAccessList', CASES[0]!.params())
  assert.ok('result' in ok && ok.result === null)
  const bad = await jsonRpc(rpc.url, 'supervisor_checkAccessList', [
    entries(m.a[0]!),
    'unsafe',
    descFor(902n, m.a[0]!.identifier.timestamp),
  ])
  assert.equal(bad.error, {
    code: -320600,
    message: `conflicting data: initiating message timestamp ${m.a[0]!.identifier.timestamp} not before inclusion timestamp ${m.a[0]!.identifier.timestamp}`,
  })
  const malformed = await jsonRpc(rpc.url, 'supervisor_checkAccessList', [
    entries(m.a[0]!).slice(0, 1),
    'unsafe',
    execOf(m.a[0]!),
  ])
  assert.equal(malformed.error, { code: -32602, message: 'failed to read data: expected entry' })
})

test('failsafe via admin JWT: no token / bad token refused, good token flips every check to -320602', async () => {
  for (const s of [index, rpc]) {
    assert.is((await jsonRpc(s.url, 'admin_setFailsafeEnabled', [true])).error?.code, -32000)
    assert.is(
      (
        await jsonRpc(s.url, 'admin_setFailsafeEnabled', [true], {
          authorization: `Bearer ${signJwt(randomBytes(32))}`,
        })
      ).error?.code,
      -32000,
    )
    assert.is(answerCode(await check(s, CASES[0]!)), 0)
    const auth = () => ({ authorization: `Bearer ${signJwt(secret)}` })
    assert.is((await jsonRpc(s.url, 'admin_setFailsafeEnabled', [true], auth())).result, null)
    assert.is((await jsonRpc(s.url, 'admin_getFailsafeEnabled', [], auth())).result, true)
    for (const c of [CASES[0]!, CASES[3]!, CASES[12]!]) assert.is(answerCode(await check(s, c)), -320602, c.name)
    assert.match(await (await fetch(`${s.url}/metrics`)).text(), /superguard_supervisor_failsafe_enabled 1/)
    await jsonRpc(s.url, 'admin_setFailsafeEnabled', [false], auth())
    assert.is(answerCode(await check(s, CASES[0]!)), 0)
  }
})

test('syncStatus, localUnsafe, crossSafe, finalized: op-supervisor shapes, same heads on both backends', async () => {
  const zero = `0x${'0'.repeat(64)}`
  const latest = await a.client.getBlock()
  const safe = await a.client.getBlock({ blockTag: 'safe' })
  const finalized = await a.client.getBlock({ blockTag: 'finalized' })
  for (const s of [index, rpc]) {
    const st = (await jsonRpc(s.url, 'supervisor_syncStatus')).result as {
      minSyncedL1: unknown
      safeTimestamp: number
      finalizedTimestamp: number
      chains: Record<string, Record<string, unknown>>
    }
    assert.equal(st.minSyncedL1, { hash: zero, number: 0, parentHash: zero, timestamp: 0 })
    assert.equal(Object.keys(st.chains).sort(), ['901', '902'])
    const ca = st.chains['901']!
    assert.equal(
      ca.localUnsafe,
      {
        hash: latest.hash,
        number: Number(latest.number),
        parentHash: latest.parentHash,
        timestamp: Number(latest.timestamp),
      },
      s.backend.kind,
    )
    assert.equal(ca.crossUnsafe, { hash: latest.hash, number: Number(latest.number) }, s.backend.kind)
    assert.equal(ca.localSafe, { hash: safe.hash, number: Number(safe.number) })
    assert.equal(ca.safe, ca.localSafe)
    assert.equal(ca.finalized, { hash: finalized.hash, number: Number(finalized.number) })
    assert.type(st.safeTimestamp, 'number')
    assert.type(st.finalizedTimestamp, 'number')
    assert.equal((await jsonRpc(s.url, 'supervisor_localUnsafe', ['901'])).result, {
      hash: latest.hash,
      number: Number(latest.number),
    })
    assert.equal((await jsonRpc(s.url, 'supervisor_crossSafe', ['0x385'])).result, {
      source: { hash: zero, number: 0 },
      derived: { hash: safe.hash, number: Number(safe.number) },
    })
    assert.equal((await jsonRpc(s.url, 'supervisor_finalized', ['901'])).result, {
      hash: finalized.hash,
      number: Number(finalized.number),
    })
    assert.is((await jsonRpc(s.url, 'supervisor_localUnsafe', ['5'])).error?.code, -320501)
  }
})

test('a block with an invalid executing message is not cross-unsafe on either backend', async () => {
  const { signer } = chains
  // One block on B holding an executing message of a payload A never emitted, and a fresh initiating log.
  const bogus: InitiatingMessage = { identifier: m.a[0]!.identifier, payloadHash: bytesToHex(randomBytes(32)) }
  await mine(b, 'evm_setAutomine', [false])
  const badRaw = await signExecuting(b, signer, bogus)
  const emitRaw = await signer.sign(b, {
    to: EMITTER_ADDRESS,
    data: emitterCalldata(1, bytesToHex(randomBytes(8))),
    gas: 200_000n,
  })
  await b.client.request({ method: 'eth_sendRawTransaction', params: [badRaw] })
  const emitHash = await b.client.request({ method: 'eth_sendRawTransaction', params: [emitRaw] })
  await mine(b, 'evm_mine')
  await mine(b, 'evm_setAutomine', [true])
  const receipt = await b.client.getTransactionReceipt({ hash: emitHash })
  const block = await b.client.getBlock({ blockHash: receipt.blockHash })
  const log = receipt.logs[0]!
  const msg: InitiatingMessage = {
    identifier: {
      origin: log.address.toLowerCase() as Hex,
      blockNumber: log.blockNumber,
      logIndex: log.logIndex,
      timestamp: block.timestamp,
      chainId: b.chainId,
    },
    payloadHash: bytesToHex(payloadHash(log)),
  }
  await untilIndexed(
    index.indexer!,
    'B indexed to the new block',
    () => (unsafeHead(index, b.chainId)?.number ?? -1n) >= block.number,
  )
  for (const s of [index, rpc]) {
    assert.is(
      answerCode(await jsonRpc(s.url, 'supervisor_checkAccessList', [entries(msg), 'unsafe', execOf(msg)])),
      0,
      s.backend.kind,
    )
    assert.is(
      answerCode(await jsonRpc(s.url, 'supervisor_checkAccessList', [entries(msg), 'cross-unsafe', execOf(msg)])),
      -321100,
      s.backend.kind,
    )
    // Older blocks are unaffected.
    assert.is(
      answerCode(await jsonRpc(s.url, 'supervisor_checkAccessList', [entries(m.b2), 'cross-unsafe', execOf(m.b2)])),
      0,
      s.backend.kind,
    )
  }
})

test('a reorg flips the verdicts on both backends', async () => {
  const { signer } = chains
  const snapshot = await mine(a, 'evm_snapshot')
  const [before] = await emitInitiating(a, signer)
  await untilIndexed(
    index.indexer!,
    'A indexed to the message block',
    () => (unsafeHead(index, a.chainId)?.number ?? -1n) >= before!.identifier.blockNumber,
  )
  for (const s of [index, rpc])
    assert.is(
      answerCode(await jsonRpc(s.url, 'supervisor_checkAccessList', [entries(before!), 'unsafe', execOf(before!)])),
      0,
      s.backend.kind,
    )

  const rpcReorg = once(rpc.rpcBackend!.events, 'reorg', { signal: AbortSignal.timeout(15_000) })
  assert.ok(await mine(a, 'evm_revert', [snapshot]))
  signer.resetNonce(a)
  const [after] = await emitInitiating(a, signer) // the same height, another block
  assert.is(after!.identifier.blockNumber, before!.identifier.blockNumber)
  const replaced = await a.client.getBlock({ blockNumber: after!.identifier.blockNumber })
  await untilIndexed(
    index.indexer!,
    'index on the replacement block',
    () => unsafeHead(index, a.chainId)?.hash === replaced.hash,
  )
  await rpcReorg

  for (const s of [index, rpc]) {
    assert.is(
      answerCode(await jsonRpc(s.url, 'supervisor_checkAccessList', [entries(before!), 'unsafe', execOf(before!)])),
      -320600,
      `${s.backend.kind}: reorged-out message`,
    )
    assert.is(
      answerCode(await jsonRpc(s.url, 'supervisor_checkAccessList', [entries(after!), 'unsafe', execOf(after!)])),
      0,
      `${s.backend.kind}: replacement message`,
    )
  }
})

test.run()
