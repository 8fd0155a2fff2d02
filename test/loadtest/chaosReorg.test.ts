import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type ConductorStandin, startConductorStandin } from '../../src/devnet/conductor/index.js'
import type { ClusterManifest } from '../../src/loadtest/chaos/manifest.js'
import { cutChain } from '../../src/loadtest/chaos/reorgStep.js'
import { freePort } from '../../src/util/freePort.js'
import { createLogger } from '../../src/util/logger.js'
import { advance, fcu, headOf, type Sim, startSim } from '../enginesim/_helpers.js'

// The chaos reorg step's cut (cutChain) against one engine-sim standing in for the chain's three
// nodes and a conductor stand-in: leadership moves to the next node, its engine is set back under
// the block, and the cut holds once the new leader's first block starts the other branch. When the
// old leader's last block lands after the cut (the engine back on the old branch), it tries again.

let dir: string
let sim: Sim
let conductor: ConductorStandin
let m: ClusterManifest

test.before.each(async () => {
  dir = mkdtempSync(join(tmpdir(), 'superguard-chaos-reorg-'))
  sim = await startSim()
  const jwt = join(dir, 'engine.jwt.hex')
  writeFileSync(jwt, sim.secret.toString('hex'))
  const ports = [await freePort(), await freePort(), await freePort()]
  conductor = await startConductorStandin(
    {
      node: ports.map((p, i) => `A${i + 1}=127.0.0.1:${p},health=${sim.url}/healthz`),
      healthInterval: 200,
    },
    { logger: createLogger('silent') },
  )
  m = {
    devnet: { pid: process.pid, metrics: '', healthz: '' },
    chains: [{ name: 'A', chainId: 901, conductor: conductor.urls.A1! }],
    slotMs: 250,
    engineJwt: jwt,
    processes: [1, 2, 3].map((i) => ({
      name: `engine-sim-A${i}`,
      role: 'engine-sim',
      chain: 901,
      index: i,
      pid: process.pid,
      state: 'running',
      restarts: 0,
      engine: sim.url,
    })),
  }
  for (let k = 0; k < 5; k++) await advance(sim)
})

test.after.each(async () => {
  await conductor?.close()
  await sim?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Plays the new leader: once the engine's head is below `n`, seals block `n` on another branch. */
async function newLeader(n: bigint, before?: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 10_000
  while (Date.now() < end) {
    const h = await headOf(sim)
    if (h.number < n) {
      if (before && !(await before())) continue
      await advance(sim, { prevRandao: `0x${'77'.repeat(32)}` })
      return
    }
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error('the engine was never set back')
}

test('the cut: leadership to the next node, its engine set back under the block, the new branch holds', async () => {
  const at = await sim.eth.call<{ hash: string; number: string }>('eth_getBlockByNumber', ['0x3', false])
  const [cut] = await Promise.all([
    cutChain(m, 'A', { blockNumber: 3, blockHash: at.hash }, m.slotMs, () => 42),
    newLeader(3n),
  ])
  assert.equal(cut, { node: 'A2', pid: process.pid, depth: 3, attempts: 1, atMs: 42 })
  assert.is(conductor.election.leader, 'A2')
  const now = await sim.eth.call<{ hash: string }>('eth_getBlockByNumber', ['0x3', false])
  assert.is.not(now.hash, at.hash, 'block 3 is another block')
  assert.is(await sim.eth.call('eth_getBlockByNumber', ['0x5', false]), null, 'the old branch above is gone')
})

test("the old leader's last block lands after the cut: tried again on the next node", async () => {
  const at = await sim.eth.call<{ hash: string }>('eth_getBlockByNumber', ['0x3', false])
  const old = await headOf(sim)
  let undone = false
  const [cut] = await Promise.all([
    cutChain(m, 'A', { blockNumber: 3, blockHash: at.hash }, m.slotMs, () => 0),
    newLeader(3n, async () => {
      if (undone) return true
      // the old leader's publication: a forkchoice back to its head and one more block on it
      undone = true
      await fcu(sim, old.hash)
      await advance(sim)
      return false
    }),
  ])
  assert.is(cut.attempts, 2)
  assert.is(cut.node, 'A3', 'from A2 (leading after the first attempt) to A3')
  assert.is(conductor.election.leader, 'A3')
  const now = await sim.eth.call<{ hash: string }>('eth_getBlockByNumber', ['0x3', false])
  assert.is.not(now.hash, at.hash)
})

test.run()
