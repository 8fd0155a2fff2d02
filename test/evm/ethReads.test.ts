import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPublicClient, createWalletClient, defineChain, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import type { Hex } from '../../src/engine/index.js'
import {
  type AllocAccount,
  DEV_BALANCE,
  defaultGenesis,
  EMITTER_ADDRESS,
  type Genesis,
  genesisToJson,
} from '../../src/evm/index.js'
import { RpcClient } from '../../src/rpc/client.js'
import { advance, CHAIN_ID, type Sim, startSim } from '../enginesim/_helpers.js'

// engine-sim's state reads against anvil (an independent EVM) from one genesis after the same
// transactions, and viem's public and wallet clients against engine-sim: a sendTransaction with
// no nonce, gas or fees must work (viem asks eth_getTransactionCount pending, eth_getBlockByNumber,
// eth_maxPriorityFeePerGas, eth_estimateGas).

const a = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const b = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const STORE: Hex = '0x000000000000000000000000000000000000c0de'
/** Reverts with Error("nope"): CODECOPY 100 bytes of data at offset 12, REVERT them. */
const NOPE: Hex = '0x00000000000000000000000000000000000000e1'
const NOPE_DATA = `08c379a0${'20'.padStart(64, '0')}${'4'.padStart(64, '0')}${'6e6f7065'.padEnd(64, '0')}`
const NOPE_CODE: Hex = `0x6064600c60003960646000fd${NOPE_DATA}`
/** Reverts with no data (PUSH0 PUSH0 REVERT). */
const EMPTY_REVERT: Hex = '0x00000000000000000000000000000000000000e2'
/** Burns gas in a loop then stores: a call whose estimate needs the binary search (SSTORE refund-free). */
const SPENDER: Hex = '0x00000000000000000000000000000000000000e3'
// PUSH1 0x40 (counter) loop: JUMPDEST DUP1 ISZERO PUSH1 end JUMPI PUSH1 1 SWAP1 SUB PUSH1 2 JUMP; end: JUMPDEST PUSH1 1 PUSH1 1 SSTORE STOP
const SPENDER_CODE: Hex = '0x60405b8015600f576001900360025b5060016001555b00'

const dir = mkdtempSync(join(tmpdir(), 'sg-eth-reads-'))
let anvil: Anvil
let anvilRpc: RpcClient
let sim: Sim
let wallet: Sim

function genesis(): Genesis {
  const g = defaultGenesis({ chainId: CHAIN_ID, timestamp: 1_700_000_000n })
  const alloc = new Map<Hex, AllocAccount>(g.alloc)
  const contract = (code: Hex, storage = new Map<Hex, Hex>()): AllocAccount => ({
    balance: 0n,
    nonce: 1n,
    code,
    storage,
  })
  alloc.set(
    STORE,
    contract('0x5f545f5260205ff3', new Map<Hex, Hex>([[`0x${'00'.repeat(32)}`, `0x${'00'.repeat(31)}07`]])),
  )
  alloc.set(NOPE, contract(NOPE_CODE))
  alloc.set(EMPTY_REVERT, contract('0x5f5ffd'))
  alloc.set(SPENDER, contract(SPENDER_CODE))
  return { ...g, baseFee: 0n, alloc }
}

test.before(async () => {
  const g = genesis()
  const file = join(dir, 'genesis.json')
  writeFileSync(file, JSON.stringify(genesisToJson(g)))
  anvil = await startAnvil({
    chainId: CHAIN_ID,
    args: ['--init', file, '--hardfork', 'prague', '--no-mining', '--base-fee', '0', '--order', 'fifo'],
  })
  anvilRpc = new RpcClient(anvil.url, { timeoutMs: 10_000 })
  sim = await startSim({ execution: 'evm', genesis: g })
  wallet = await startSim({ execution: 'evm' })
})
test.after(async () => {
  anvilRpc?.close()
  await anvil?.stop()
  await sim?.close()
  await wallet?.close()
  rmSync(dir, { recursive: true, force: true })
})

type RpcErr = { code: number; message: string; data?: unknown }
async function failure(c: RpcClient, method: string, params: unknown[]): Promise<RpcErr> {
  try {
    await c.call(method, params)
  } catch (err) {
    const e = err as { rpcCode?: number; code?: number; shortMessage?: string; message: string; data?: unknown }
    return { code: e.rpcCode ?? (e.code as number), message: e.shortMessage ?? e.message, data: e.data }
  }
  throw new Error(`${method} did not fail`)
}

const fees = { maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000n }

test('balances, nonces, code, storage, calls, estimates and reverts agree with anvil after the same block', async () => {
  const raws = [
    await a.signTransaction({
      type: 'eip1559',
      chainId: CHAIN_ID,
      nonce: 0,
      to: b.address,
      value: 10n ** 18n,
      gas: 21_000n,
      ...fees,
    }),
    await a.signTransaction({ type: 'eip1559', chainId: CHAIN_ID, nonce: 1, to: SPENDER, gas: 200_000n, ...fees }),
    await b.signTransaction({
      type: 'eip1559',
      chainId: CHAIN_ID,
      nonce: 0,
      to: EMITTER_ADDRESS,
      gas: 100_000n,
      data: `0x${'00'.repeat(31)}01aa`,
      ...fees,
    }),
  ]
  for (const r of raws) {
    await anvilRpc.call('eth_sendRawTransaction', [r])
    await sim.eth.call('eth_sendRawTransaction', [r])
  }
  await anvilRpc.call('evm_mine')
  await advance(sim)
  const same = async (method: string, params: unknown[]) => {
    const [x, y] = await Promise.all([sim.eth.call(method, params), anvilRpc.call(method, params)])
    assert.equal(x, y, `${method}(${JSON.stringify(params)})`)
    return x
  }
  for (const who of [a.address, b.address, SPENDER]) {
    await same('eth_getBalance', [who, 'latest'])
    await same('eth_getTransactionCount', [who, 'latest'])
  }
  assert.is(await same('eth_getTransactionCount', [a.address, 'latest']), '0x2')
  await same('eth_getBalance', [a.address, '0x0'])
  await same('eth_getCode', [STORE, 'latest'])
  await same('eth_getCode', [b.address, 'latest'])
  await same('eth_getStorageAt', [STORE, '0x0', 'latest'])
  assert.is(await same('eth_getStorageAt', [SPENDER, '0x1', 'latest']), `0x${'00'.repeat(31)}01`)
  await same('eth_getStorageAt', [SPENDER, `0x${'00'.repeat(31)}02`, 'latest'])
  assert.is(await same('eth_call', [{ to: STORE, data: '0x' }, 'latest']), `0x${'00'.repeat(31)}07`)
  await same('eth_call', [{ from: a.address, to: EMITTER_ADDRESS, data: `0x${'00'.repeat(32)}` }, 'latest'])
  await same('eth_estimateGas', [{ from: a.address, to: b.address, value: '0x1' }])
  // A binary search: geth stops within 1.5% above the least gas that works; anvil finds it exactly.
  const ours = BigInt(await sim.eth.call<Hex>('eth_estimateGas', [{ from: a.address, to: SPENDER }]))
  const theirs = BigInt(await anvilRpc.call<Hex>('eth_estimateGas', [{ from: a.address, to: SPENDER }]))
  assert.ok(ours >= theirs && ours * 1000n <= theirs * 1015n, `estimate ${ours} vs anvil ${theirs}`)

  const revert = await failure(sim.eth, 'eth_call', [{ to: NOPE }, 'latest'])
  const anvilRevert = await failure(anvilRpc, 'eth_call', [{ to: NOPE }, 'latest'])
  assert.equal(revert, { code: 3, message: 'execution reverted: nope', data: `0x${NOPE_DATA}` })
  assert.is(anvilRevert.code, 3)
  assert.is(anvilRevert.data, revert.data)
  assert.equal(await failure(sim.eth, 'eth_estimateGas', [{ to: NOPE }]), revert)
  assert.equal(await failure(sim.eth, 'eth_call', [{ to: EMPTY_REVERT }, 'latest']), {
    code: -32000,
    message: 'execution reverted',
    data: undefined,
  })
})

test('block references: tags, numbers, hashes, EIP-1898 objects; unknown blocks and pruned states as geth', async () => {
  const head = await sim.eth.call<{ hash: Hex; number: Hex }>('eth_getBlockByNumber', ['latest', false])
  const at = (ref: unknown) => sim.eth.call<Hex>('eth_getTransactionCount', [a.address, ref])
  assert.is(await at(head.hash), '0x2')
  assert.is(await at({ blockHash: head.hash, requireCanonical: true }), '0x2')
  assert.is(await at({ blockNumber: '0x0' }), '0x0')
  assert.is(await at('earliest'), '0x0')
  assert.is(await at('safe'), '0x0', 'safe is genesis until forkchoice says otherwise')
  assert.equal(await failure(sim.eth, 'eth_getBalance', [a.address, '0x99']), {
    code: -32000,
    message: 'header not found',
    data: undefined,
  })
  assert.is(
    (await failure(sim.eth, 'eth_getBalance', [a.address, `0x${'12'.repeat(32)}`])).message,
    'header for hash not found',
  )
  assert.is((await failure(sim.eth, 'eth_getBalance', [a.address])).code, -32602)
  assert.is((await failure(sim.eth, 'eth_getBalance', [a.address, 'newest'])).code, -32602)
  // A pruned state: drop everything but the head's, as pruning does for blocks 256 below the head.
  const latest = await sim.eth.call<{ stateRoot: Hex }>('eth_getBlockByNumber', ['latest', false])
  sim.sim.executor!.state.prune([latest.stateRoot])
  const genesisRoot = sim.sim.chain.genesis.payload.stateRoot
  assert.equal(await failure(sim.eth, 'eth_getBalance', [a.address, '0x0']), {
    code: -32000,
    message: `missing trie node ${genesisRoot.slice(2)} (path ) <nil>`,
    data: undefined,
  })
})

test('fees: gas price, priority fee and fee history as op-geth answers an uncongested chain', async () => {
  const tip = await wallet.eth.call<Hex>('eth_maxPriorityFeePerGas')
  assert.is(tip, '0xf4240', '0.001 gwei, op-geth minimum suggestion')
  const price = BigInt(await wallet.eth.call<Hex>('eth_gasPrice'))
  assert.is(price, 1_000_000_000n + 1_000_000n, 'the head base fee (1 gwei) plus the tip')
  await advance(wallet)
  await advance(wallet)
  const h = await wallet.eth.call<{
    oldestBlock: Hex
    baseFeePerGas: Hex[]
    gasUsedRatio: number[]
    reward: Hex[][]
  }>('eth_feeHistory', ['0x5', 'latest', [25, 75]])
  assert.is(h.oldestBlock, '0x0')
  assert.is(h.baseFeePerGas.length, 4, 'three blocks and the next')
  assert.is(h.gasUsedRatio.length, 3)
  assert.equal(h.reward[0], ['0x0', '0x0'], 'genesis has no transactions')
  assert.is(
    (await failure(wallet.eth, 'eth_feeHistory', ['0x2', 'latest', [50, 10]])).message,
    'invalid reward percentile: #0:50.000000 >= #1:10.000000',
  )
  assert.is(
    (await failure(wallet.eth, 'eth_feeHistory', ['0x2', '0x99', []])).message,
    'request beyond head block: requested 153, head 2',
  )
})

test("viem: a wallet client's sendTransaction with no nonce, gas or fees is mined; the public client reads it", async () => {
  const chain = defineChain({
    id: CHAIN_ID,
    name: 'engine-sim',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [wallet.url] } },
  })
  const pub = createPublicClient({ chain, transport: http(wallet.url) })
  const wc = createWalletClient({ account: a, chain, transport: http(wallet.url) })
  const to: Hex = '0x000000000000000000000000000000000000beef'
  const before = await pub.getBalance({ address: a.address })
  assert.is(before, DEV_BALANCE)
  const first = await wc.sendTransaction({ to, value: 1234n })
  const second = await wc.sendTransaction({ to, value: 1n })
  assert.is(await pub.getTransactionCount({ address: a.address, blockTag: 'pending' }), 2)
  assert.is(await pub.getTransactionCount({ address: a.address }), 0)
  await advance(wallet)
  const r1 = await pub.getTransactionReceipt({ hash: first })
  const r2 = await pub.getTransactionReceipt({ hash: second })
  assert.is(r1.status, 'success')
  assert.is(r2.status, 'success')
  assert.is(r1.gasUsed, 21_000n)
  assert.is(await pub.getBalance({ address: to }), 1235n)
  const block = await pub.getBlock({ blockTag: 'latest', includeTransactions: true })
  assert.equal(
    block.transactions.slice(1).map((t) => t.hash),
    [first, second],
  )
  const est = await pub.estimateGas({ account: a.address, to, value: 1n })
  assert.is(est, 21_000n)
})

test.run()
