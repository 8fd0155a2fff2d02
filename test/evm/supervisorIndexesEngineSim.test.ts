import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPublicClient, http } from 'viem'
import {
  accessListEntries,
  type DevChain,
  DevSigner,
  emitterCalldata,
  signExecuting,
} from '../../src/devnet/messages.js'
import { EMITTER_ADDRESS, INBOX_ADDRESS } from '../../src/evm/index.js'
import { EXECUTING_MESSAGE_TOPIC, type Hex, payloadHash } from '../../src/interop/index.js'
import { type Supervisor, startSupervisor, supervisorConfig } from '../../src/supervisor/index.js'
import { hexToBytes, toQuantity } from '../../src/util/hex.js'
import { supervisorArgv } from '../_helpers/interopChains.js'
import { jsonRpc } from '../_helpers/jsonRpc.js'
import { untilIndexed } from '../_helpers/untilIndexed.js'
import { advance, type Sim, startSim } from '../enginesim/_helpers.js'

// Two engine-sims executing with the EVM (chains 901 and 902, default genesis), driven block by
// block through the Engine API; the supervisor (index backend) follows both over their eth_ methods
// as it follows anvil chains, indexes the ExecutingMessage that 902's sealed block emitted, and
// answers the access-list check of that message; the rpc backend (no index) answers the same.

const dir = mkdtempSync(join(tmpdir(), 'sg-evm-supervisor-'))
let a: Sim
let b: Sim
let sup: Supervisor
const signer = new DevSigner()
/** The message test 1 sealed, and the executing block's timestamp: test 2 checks them again. */
let sealed: { entries: Hex[]; forged: Hex[]; timestamp: bigint } | undefined

const devChain = (s: Sim, chainId: bigint): DevChain => ({
  url: s.url,
  chainId,
  client: createPublicClient({ transport: http(s.url, { retryCount: 0 }) }),
})

test.before(async () => {
  // Recent blocks: the index backfills only what is inside the 7-day message expiry window of now.
  const genesisTime = Math.floor(Date.now() / 1000) - 60
  ;[a, b] = await Promise.all([
    startSim({ execution: 'evm', genesisTime }),
    startSim({ execution: 'evm', chainId: 902, genesisTime }),
  ])
})
test.after(async () => {
  await sup?.close()
  await Promise.all([a?.close(), b?.close()])
  rmSync(dir, { recursive: true, force: true })
})

test('the supervisor indexes an engine-sim chain and checks an ExecutingMessage emitted in a sealed block', async () => {
  const chainA = devChain(a, 901n)
  const chainB = devChain(b, 902n)
  // 901: an emitter transaction sealed in block 1 (the initiating message).
  const emit = await signer.sign(chainA, { to: EMITTER_ADDRESS, data: emitterCalldata(1, '0xbeef'), nonce: 0 })
  const emitHash = await a.eth.call<Hex>('eth_sendRawTransaction', [emit])
  const { head: a1 } = await advance(a)
  const receipt = await a.eth.call<{ logs: { address: Hex; topics: Hex[]; data: Hex; logIndex: Hex }[] }>(
    'eth_getTransactionReceipt',
    [emitHash],
  )
  const log = receipt.logs[0]!
  const message = {
    identifier: {
      origin: log.address,
      blockNumber: a1.number,
      logIndex: Number(log.logIndex),
      timestamp: a1.timestamp,
      chainId: 901n,
    },
    payloadHash: `0x${Buffer.from(payloadHash({ topics: log.topics, data: log.data })).toString('hex')}` as Hex,
  }
  // 902: an empty block, then the executing transaction (its timestamp is after the message's).
  await advance(b)
  const exec = await signExecuting(chainB, signer, message, accessListEntries([message]), 0)
  const execHash = await b.eth.call<Hex>('eth_sendRawTransaction', [exec])
  const { head: b2 } = await advance(b)
  const execReceipt = await b.eth.call<{ status: Hex; logs: { address: Hex; topics: Hex[] }[] }>(
    'eth_getTransactionReceipt',
    [execHash],
  )
  assert.is(execReceipt.status, '0x1')
  assert.is(execReceipt.logs[0]!.address, INBOX_ADDRESS.toLowerCase())
  assert.is(execReceipt.logs[0]!.topics[0], EXECUTING_MESSAGE_TOPIC)
  // One more block on each, so both heads are past the blocks that matter.
  await Promise.all([advance(a), advance(b)])

  sup = await startSupervisor(supervisorConfig({ argv: supervisorArgv(a, b, join(dir, 'sup.db')) }), {
    progress: false,
  })
  await sup.ready
  const ix = sup.indexer!
  await untilIndexed(ix, 'both chains cross-unsafe past the blocks of the message', () => {
    const ha = ix.reader.head(901n, 'cross-unsafe')
    const hb = ix.reader.head(902n, 'cross-unsafe')
    return ha !== undefined && hb !== undefined && ha.number >= a1.number && hb.number >= b2.number
  })
  const answer = await jsonRpc(sup.url, 'supervisor_checkAccessList', [
    accessListEntries([message]),
    'cross-unsafe',
    { chainID: '902', timestamp: toQuantity(b2.timestamp) },
  ])
  assert.equal(answer, { jsonrpc: '2.0', id: (answer as { id: number }).id, result: null })
  // A forged payload hash is refused: the index holds the real log.
  const forged = { ...message, payloadHash: `0x${'11'.repeat(32)}` as Hex }
  const refused = await jsonRpc(sup.url, 'supervisor_checkAccessList', [
    accessListEntries([forged]),
    'cross-unsafe',
    { chainID: '902', timestamp: toQuantity(b2.timestamp) },
  ])
  assert.is(refused.error?.code, -320600)
  assert.ok(hexToBytes(message.payloadHash).length === 32)
  sealed = { entries: accessListEntries([message]), forged: accessListEntries([forged]), timestamp: b2.timestamp }
})

test('the rpc backend (no index) answers the same checks from the engine-sims eth_ methods', async () => {
  assert.ok(sealed, 'test 1 sealed the message')
  const rpcSup = await startSupervisor(
    supervisorConfig({
      argv: ['--rpc', a.url, '--rpc', `902=${b.url}`, '--backend', 'rpc', '--port', '0', '--log-level', 'silent'],
    }),
    { progress: false },
  )
  try {
    await rpcSup.ready
    const ctx = { chainID: '902', timestamp: toQuantity(sealed.timestamp) }
    const ok = await jsonRpc(rpcSup.url, 'supervisor_checkAccessList', [sealed.entries, 'cross-unsafe', ctx])
    assert.equal(ok, { jsonrpc: '2.0', id: (ok as { id: number }).id, result: null })
    const refused = await jsonRpc(rpcSup.url, 'supervisor_checkAccessList', [sealed.forged, 'cross-unsafe', ctx])
    assert.is(refused.error?.code, -320600)
  } finally {
    await rpcSup.close()
  }
})

test.run()
