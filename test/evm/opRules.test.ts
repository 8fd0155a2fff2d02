import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAddressFromString } from '@ethereumjs/util'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts'
import { serializeTransaction as serializeOp } from 'viem/op-stack'
import { loadConfig } from '../../src/config/index.js'
import { decodeTx, type Hex } from '../../src/engine/index.js'
import { startEngineSim } from '../../src/enginesim/index.js'
import { engineSimSpec } from '../../src/enginesim/options.js'
import {
  BASE_FEE_VAULT,
  BlockExecutor,
  DEV_ACCOUNTS,
  defaultGenesis,
  EMITTER_ADDRESS,
  GenesisError,
  genesisToJson,
  parseGenesisJson,
} from '../../src/evm/index.js'
import { hexToBytes } from '../../src/util/hex.js'
import { initKeccak } from '../../src/util/keccak.js'
import { jsonRpc } from '../_helpers/jsonRpc.js'
import { advance, build, fcu, headOf, newPayloadV4, startSim } from '../enginesim/_helpers.js'

const dev = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const SEQ_VAULT: Hex = '0x4200000000000000000000000000000000000011'
const ZERO32: Hex = `0x${'00'.repeat(32)}`

function deposit(n: number, o: { mint?: bigint; gas?: bigint; to?: Hex; value?: bigint; from?: Hex } = {}): Hex {
  return serializeOp({
    type: 'deposit',
    sourceHash: `0x${n.toString(16).padStart(64, '0')}`,
    from: o.from ?? '0x00000000000000000000000000000000000d0d0d',
    to: o.to ?? '0x000000000000000000000000000000000000b0b0',
    mint: o.mint ?? 0n,
    value: o.value ?? 0n,
    gas: o.gas ?? 100_000n,
    isSystemTx: false,
    data: '0x',
  })
}

async function executor() {
  await initKeccak()
  const ex = await BlockExecutor.create(901, 'isthmus')
  const root = await ex.applyAlloc(defaultGenesis({ chainId: 901 }).alloc)
  const env = {
    number: 1n,
    timestamp: 2n,
    coinbase: SEQ_VAULT,
    gasLimit: 30_000_000n,
    baseFee: 1_000_000_000n,
    prevRandao: ZERO32,
    parentHash: ZERO32,
    parentBeaconBlockRoot: ZERO32,
    parentStateRoot: root,
  }
  return { ex, root, env }
}

async function balanceOf(ex: BlockExecutor, root: Hex, a: Hex) {
  const acct = await ex.state.stateManager(hexToBytes(root)).getAccount(createAddressFromString(a))
  return { balance: acct?.balance ?? 0n, nonce: acct?.nonce ?? 0n }
}

test('deposits: mint credited and kept, no gas paid; a failed deposit keeps the mint, bumps the nonce, uses all its gas', async () => {
  const { ex, env } = await executor()
  const from: Hex = '0x00000000000000000000000000000000000d0d0d'
  const ok = decodeTx(deposit(1, { mint: 10n ** 18n, value: 5n }))
  // value above the balance after the mint: cannot run → failed deposit.
  const failed = decodeTx(deposit(2, { mint: 7n, value: 10n ** 19n, gas: 50_000n }))
  const out = await ex.execute(
    env,
    [ok, failed].map((tx) => ({ tx, from: tx.depositFrom! })),
    { mode: 'validate' },
  )
  const [r1, r2] = out.receipts
  assert.equal([r1!.status, r1!.gasUsed, r1!.depositNonce, r1!.effectiveGasPrice], [1, 21_000n, 0n, 0n])
  assert.equal([r2!.status, r2!.gasUsed, r2!.depositNonce], [0, 50_000n, 1n])
  const after = await balanceOf(ex, out.stateRoot, from)
  assert.equal(after, { balance: 10n ** 18n - 5n + 7n, nonce: 2n })
  assert.is((await balanceOf(ex, out.stateRoot, '0x000000000000000000000000000000000000b0b0')).balance, 5n)
  assert.is(out.blockValue, 0n)
  assert.is((await balanceOf(ex, out.stateRoot, BASE_FEE_VAULT)).balance, 0n, 'deposits pay no base fee')
})

test("fees: the base fee goes to the BaseFeeVault, the tip to the fee recipient; invalid transactions with geth's words", async () => {
  const { ex, env } = await executor()
  const tx = (nonce: number, over: Record<string, bigint> = {}) =>
    dev.signTransaction({
      type: 'eip1559',
      chainId: 901,
      nonce,
      to: EMITTER_ADDRESS,
      gas: 100_000n,
      maxFeePerGas: 3_000_000_000n,
      maxPriorityFeePerGas: 2_000_000n,
      data: `0x${'00'.repeat(31)}01`,
      ...over,
    })
  const t0 = decodeTx(await tx(0))
  const out = await ex.execute(env, [{ tx: t0, from: dev.address }], { mode: 'validate' })
  const used = out.receipts[0]!.gasUsed
  assert.is((await balanceOf(ex, out.stateRoot, BASE_FEE_VAULT)).balance, used * 1_000_000_000n)
  assert.is((await balanceOf(ex, out.stateRoot, SEQ_VAULT)).balance, used * 2_000_000n)
  assert.is(out.blockValue, used * 2_000_000n)
  const refused = async (raw: Hex, re: RegExp) => {
    try {
      await ex.execute(env, [{ tx: decodeTx(raw), from: dev.address }], { mode: 'validate' })
      assert.unreachable('should have been refused')
    } catch (err) {
      assert.match((err as Error).message, re)
    }
  }
  await refused(
    await tx(1),
    /^could not apply tx 0 \[0x[0-9a-f]{64}\]: nonce too high: address 0x[0-9a-fA-F]{40}, tx: 1 state: 0$/,
  )
  await refused(
    await tx(0, { maxFeePerGas: 10n, maxPriorityFeePerGas: 1n }),
    /max fee per gas less than block base fee/,
  )
  await refused(await tx(0, { gas: 21_000n }), /intrinsic gas too low: have 21000, want 21/)
  await refused(await tx(0, { maxFeePerGas: 10n ** 24n }), /insufficient funds for gas \* price \+ value/)
  await refused(await tx(0, { gas: 40_000_000n }), /gas limit reached/)
  // Build mode leaves them out instead.
  const built = await ex.execute(
    env,
    [
      { tx: decodeTx(await tx(1)), from: dev.address },
      { tx: t0, from: dev.address },
    ],
    { mode: 'build', forced: 0 },
  )
  assert.is(built.txs.length, 1)
  assert.match(built.skipped[0]!.reason, /nonce too high/)
})

test('pruning keeps exactly the states of the kept roots', async () => {
  const { ex, env, root } = await executor()
  const transfer = (nonce: number) =>
    dev.signTransaction({
      type: 'eip1559',
      chainId: 901,
      nonce,
      to: `0x${(0xb0b0 + nonce).toString(16).padStart(40, '0')}`,
      value: 1n,
      gas: 21_000n,
      maxFeePerGas: 3_000_000_000n,
      maxPriorityFeePerGas: 1n,
    })
  const roots: Hex[] = [root]
  for (let n = 0; n < 3; n++) {
    const out = await ex.execute(
      { ...env, number: BigInt(n + 1), parentStateRoot: roots[n]! },
      [{ tx: decodeTx(await transfer(n)), from: dev.address }],
      { mode: 'validate' },
    )
    roots.push(out.stateRoot)
  }
  const before = ex.state.size
  const dropped = ex.state.prune([roots[2]!, roots[3]!])
  assert.ok(dropped > 0)
  assert.is(ex.state.size, before - dropped)
  assert.not.ok(ex.state.has(roots[0]!))
  assert.not.ok(ex.state.has(roots[1]!))
  assert.ok(ex.state.has(roots[3]!))
  assert.equal(await balanceOf(ex, roots[3]!, '0x000000000000000000000000000000000000b0b2'), { balance: 1n, nonce: 0n })
  assert.is((await balanceOf(ex, roots[2]!, dev.address)).nonce, 2n)
  // Code survives (the emitter is called on the kept state), and a pruned parent is refused clearly.
  const call = await dev.signTransaction({
    type: 'eip1559',
    chainId: 901,
    nonce: 3,
    to: EMITTER_ADDRESS,
    gas: 100_000n,
    maxFeePerGas: 3_000_000_000n,
    maxPriorityFeePerGas: 1n,
    data: `0x${'00'.repeat(31)}01`,
  })
  const next = await ex.execute(
    { ...env, number: 4n, parentStateRoot: roots[3]! },
    [{ tx: decodeTx(call), from: dev.address }],
    { mode: 'validate' },
  )
  assert.is(next.receipts[0]!.logs.length, 1)
  try {
    await ex.execute({ ...env, parentStateRoot: roots[1]! }, [], { mode: 'validate' })
    assert.unreachable('a pruned state cannot be executed on')
  } catch (err) {
    assert.match((err as Error).message, /is not kept/)
  }
})

test('reorg: a forkchoice to an older block and a new branch execute on the older state', async () => {
  const sim = await startSim({ execution: 'evm' })
  try {
    const send = async (nonce: number) =>
      sim.eth.call('eth_sendRawTransaction', [
        await dev.signTransaction({
          type: 'eip1559',
          chainId: 901,
          nonce,
          to: '0x000000000000000000000000000000000000b0b0',
          value: 1000n,
          gas: 21_000n,
          maxFeePerGas: 10_000_000_000n,
          maxPriorityFeePerGas: 1n,
        }),
      ])
    const g = await headOf(sim)
    await send(0)
    const { head: a1 } = await advance(sim)
    await send(1)
    const { head: a2 } = await advance(sim)
    assert.is(a2.number, 2n)
    // Back to genesis, then a branch of one block: nonce 0 is executable again there.
    await fcu(sim, g.hash)
    const raw0 = await dev.signTransaction({
      type: 'eip1559',
      chainId: 901,
      nonce: 0,
      to: '0x000000000000000000000000000000000000c0c0',
      value: 7n,
      gas: 21_000n,
      maxFeePerGas: 10_000_000_000n,
      maxPriorityFeePerGas: 1n,
    })
    const env = await build(sim, g, { transactions: [], noTxPool: true })
    assert.is(env.executionPayload.transactions.length, 0)
    // noTxPool: the old branch's transactions went back to the pool (geth's reset), and this branch is to
    // hold only raw0
    const branch = await build(sim, g, {
      transactions: [raw0],
      noTxPool: true,
      timestamp: `0x${(g.timestamp + 3n).toString(16)}`,
    })
    assert.is((await newPayloadV4(sim, branch.executionPayload, branch.parentBeaconBlockRoot)).status, 'VALID')
    await fcu(sim, branch.executionPayload.blockHash)
    assert.is((await headOf(sim)).hash, branch.executionPayload.blockHash)
    assert.is.not(branch.executionPayload.stateRoot, sim.sim.chain.get(a1.hash)!.payload.stateRoot)
    const ex = sim.sim.executor!
    const root = branch.executionPayload.stateRoot
    assert.is((await balanceOf(ex, root, '0x000000000000000000000000000000000000c0c0')).balance, 7n)
    assert.is((await balanceOf(ex, root, '0x000000000000000000000000000000000000b0b0')).balance, 0n)
    // The old branch's states are still there: forkchoice back to a2 works and its block stays valid.
    const a2Block = sim.sim.chain.get(a2.hash)!
    assert.is(
      (await balanceOf(ex, a2Block.payload.stateRoot, '0x000000000000000000000000000000000000b0b0')).balance,
      2000n,
    )
    await fcu(sim, a2.hash)
    assert.is((await headOf(sim)).hash, a2.hash)
  } finally {
    await sim.close()
  }
})

test("genesis: dev accounts are the mnemonic's, the default is deterministic, a genesis file round-trips and bad ones are named", async () => {
  const mnemonic = 'test test test test test test test test test test test junk'
  for (const [i, a] of DEV_ACCOUNTS.entries())
    assert.is(mnemonicToAccount(mnemonic, { addressIndex: i }).address.toLowerCase(), a)
  const secret = Buffer.alloc(32, 7)
  const [s1, s2] = await Promise.all([startEngineSim({ jwtSecret: secret }), startEngineSim({ jwtSecret: secret })])
  const dir = mkdtempSync(join(tmpdir(), 'sg-evm-genesis-'))
  try {
    assert.is(s1.genesisHash, s2.genesisHash, 'equal flags, equal genesis, whenever started')
    assert.is(s1.sim.chain.genesis.timestamp, 0n)
    const g = defaultGenesis({ chainId: 4242, timestamp: 1234n })
    const parsed = parseGenesisJson(JSON.parse(JSON.stringify(genesisToJson(g))))
    assert.equal(parsed, g)
    const file = join(dir, 'genesis.json')
    writeFileSync(
      file,
      JSON.stringify({
        ...genesisToJson(g),
        alloc: {
          ...(genesisToJson(g).alloc as object),
          '0x0000000000000000000000000000000000001234': { balance: '1000', storage: { '0x01': '0x02' } },
        },
      }),
    )
    const s3 = await startEngineSim({
      jwtSecret: secret,
      genesis: parseGenesisJson(JSON.parse((await import('node:fs')).readFileSync(file, 'utf8'))),
    })
    try {
      assert.is(s3.sim.chainId, 4242)
      assert.is(s3.sim.chain.genesis.timestamp, 1234n)
      const bal = await jsonRpc(s3.url, 'eth_chainId')
      assert.is(bal.result, '0x1092')
    } finally {
      await s3.close()
    }
    // The CLI's --genesis is checked at start, with every problem in one message (exit 2).
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ config: { chainId: 'x' } }))
    const jwt = join(dir, 'jwt.hex')
    writeFileSync(jwt, secret.toString('hex'))
    assert.throws(
      () => loadConfig(engineSimSpec, { argv: ['--jwt-secret', jwt, '--genesis', bad, '--execution', 'sim'] }),
      (e: Error) =>
        /--genesis: config.chainId: expected a hex or decimal quantity/.test(e.message) &&
        /--genesis needs --execution evm/.test(e.message),
    )
    assert.is(loadConfig(engineSimSpec, { argv: ['--jwt-secret', jwt, '--genesis', file] }).config.execution, 'evm')
    assert.throws(
      () => parseGenesisJson({ alloc: {} }),
      (e: Error) => e instanceof GenesisError && /config: missing/.test(e.message),
    )
    assert.throws(() => parseGenesisJson({ config: { chainId: 1 }, alloc: { nothex: {} } }), /alloc key nothex/)
    assert.throws(
      () => parseGenesisJson({ config: { chainId: 1 }, gasLimit: 'lots' }),
      /gasLimit: expected a hex or decimal quantity/,
    )
  } finally {
    await Promise.all([s1.close(), s2.close()])
    rmSync(dir, { recursive: true, force: true })
  }
})

test("eth_getLogs: geth's errors for bad ranges, unknown block hashes and too many topics", async () => {
  const sim = await startSim({ execution: 'evm' })
  try {
    await advance(sim)
    const logs = (f: unknown) => jsonRpc(sim.url, 'eth_getLogs', [f])
    assert.equal((await logs({ fromBlock: '0x1', toBlock: '0x0' })).error?.message, 'invalid block range params')
    assert.equal((await logs({ blockHash: `0x${'12'.repeat(32)}` })).error?.message, 'unknown block')
    assert.is((await logs({ topics: [null, null, null, null, null] })).error?.code, -32602)
    assert.is((await logs({ blockHash: ZERO32, fromBlock: '0x0' })).error?.code, -32602)
    assert.is((await logs({ address: 'nope' })).error?.code, -32602)
    assert.equal((await logs({ fromBlock: '0x5' })).result, [])
  } finally {
    await sim.close()
  }
})

test.run()
