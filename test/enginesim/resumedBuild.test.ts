import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { privateKeyToAccount } from 'viem/accounts'
import { DEV_KEYS } from '../../src/devnet/messages.js'
import type { Hex } from '../../src/engine/index.js'
import { EngineSim } from '../../src/enginesim/sim.js'
import { EMITTER_ADDRESS } from '../../src/evm/index.js'
import { createLogger } from '../../src/util/logger.js'
import { attributes, CHAIN_ID } from './_helpers.js'

// A builder's engine (sim_buildBlock) resumes its last build for the same slot when the new
// transaction list starts with the last one: the block must be the one a build of the whole list in
// one go gives (state root, receipts root, logs bloom, hash, value, the same transactions left out),
// while executing only the transactions added since.

const [alice, bob, carol] = DEV_KEYS.slice(0, 3).map((k) => privateKeyToAccount(k))
const sign = (acct: typeof alice, nonce: number, o: { tip?: bigint; data?: Hex; value?: bigint } = {}) =>
  acct!.signTransaction({
    type: 'eip1559',
    chainId: CHAIN_ID,
    nonce,
    to: EMITTER_ADDRESS,
    value: o.value ?? 0n,
    gas: 150_000n,
    maxFeePerGas: 50_000_000_000n,
    maxPriorityFeePerGas: o.tip ?? 1_000_000_000n,
    data: o.data ?? `0x${(1).toString(16).padStart(64, '0')}beef`,
  })

const newSim = () =>
  EngineSim.create({
    chainId: CHAIN_ID,
    genesisTime: 1_700_000_000,
    gasLimit: 30_000_000n,
    fork: 'isthmus',
    mempoolSize: 1000,
    logger: createLogger('silent'),
  })

const slotOf = (sim: EngineSim) => attributes(sim.chain.head.timestamp + 2n)

test('a build resumed over three rounds equals the build of the whole list in one go', async () => {
  const [resumed, once] = [await newSim(), await newSim()]
  const a = [await sign(alice, 0), await sign(bob, 0)]
  const b = [await sign(alice, 1), await sign(carol, 0)]
  // bob's nonce 0 again (already used in a): it cannot apply on resume and is left out as in one go;
  // so is a transfer above carol's balance.
  const c = [await sign(bob, 0, { tip: 2n }), await sign(carol, 1, { value: 10n ** 30n }), await sign(bob, 1)]
  const attrs = slotOf(resumed)
  const parent = resumed.chain.head.hash
  await resumed.buildBlock(parent, attrs, a)
  await resumed.buildBlock(parent, attrs, [...a, ...b])
  const got = await resumed.buildBlock(parent, attrs, [...a, ...b, ...c])
  const want = await once.buildBlock(once.chain.head.hash, attrs, [...a, ...b, ...c])
  assert.ok(got && want)
  assert.equal(resumed.buildStats, { fresh: 1, resumed: 2, executed: 1 + 7 }, 'each transaction executed once')
  assert.equal(once.buildStats, { fresh: 1, resumed: 0, executed: 1 + 7 })
  for (const k of ['stateRoot', 'receiptsRoot', 'logsBloom', 'gasUsed', 'blockHash', 'transactions'] as const)
    assert.equal(got.payload[k], want.payload[k], k)
  assert.is(got.blockValue, want.blockValue)
  assert.equal(got.included, want.included)
  assert.is(got.included.length, 5, 'the duplicate nonce and the unfunded transfer are left out')
  // The resumed block is this engine's own: newPayload takes it VALID without executing it again.
  const status = await resumed.newPayload(4, got.payload, [], attrs.parentBeaconBlockRoot, [])
  assert.is(status.status, 'VALID')
  const other = await newSim()
  assert.is((await other.newPayload(4, got.payload, [], attrs.parentBeaconBlockRoot, [])).status, 'VALID')
})

test('a list that does not start with the last one, or another slot, builds from scratch', async () => {
  const sim = await newSim()
  const parent = sim.chain.head.hash
  const attrs = slotOf(sim)
  const x = await sign(alice, 0)
  const y = await sign(bob, 0)
  const first = await sim.buildBlock(parent, attrs, [x])
  // A higher tip put first: the order changed, the last build is no prefix.
  const reordered = await sim.buildBlock(parent, attrs, [y, x])
  assert.equal(sim.buildStats, { fresh: 2, resumed: 0, executed: 2 + 3 })
  const again = await (await newSim()).buildBlock(parent, attrs, [y, x])
  assert.is(reordered!.payload.blockHash, again!.payload.blockHash)
  // Same transactions, another timestamp: another slot.
  const later = await sim.buildBlock(parent, attrs, [y, x])
  assert.is(sim.buildStats.resumed, 1, 'same slot, the last list as prefix')
  assert.is(later!.payload.blockHash, reordered!.payload.blockHash)
  await sim.buildBlock(parent, { ...attrs, timestamp: `0x${(BigInt(attrs.timestamp) + 1n).toString(16)}` }, [y, x])
  assert.equal(sim.buildStats.fresh, 3)
  assert.is.not(first!.payload.blockHash, reordered!.payload.blockHash)
})

test.run()
