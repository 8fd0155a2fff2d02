import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
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
// nodes and a conductor stand-in: the next node's sequencer is held (SIGSTOP) while leadership moves
// to it and its engine is set back under the block, then continued; the cut holds once the new
// leader's first block starts the other branch. When a late block of the old leader lands after the
// cut (the engine back on the old branch), it tries again on the next node.

let dir: string
let sim: Sim
let conductor: ConductorStandin
let m: ClusterManifest
/** Stands in for sequencer-A2's process: the cut holds it (SIGSTOP) from the transfer to the cut. */
let seqA2: ChildProcess

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
  seqA2 = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
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
  m.processes.push({
    name: 'sequencer-A2',
    role: 'sequencer',
    chain: 901,
    index: 2,
    pid: seqA2.pid!,
    state: 'running',
    restarts: 0,
  })
  for (let k = 0; k < 5; k++) await advance(sim)
})

test.after.each(async () => {
  seqA2?.kill('SIGKILL')
  await conductor?.close()
  await sim?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** A process's state letter from /proc (T: stopped). */
function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
}

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
  const states = new Set<string>()
  let watching = true
  const watch = (async () => {
    while (watching) {
      states.add(procState(seqA2.pid!))
      await new Promise((r) => setTimeout(r, 5))
    }
  })()
  const [cut] = await Promise.all([
    cutChain(m, 'A', { blockNumber: 3, blockHash: at.hash }, m.slotMs, () => 42),
    newLeader(3n),
  ])
  watching = false
  await watch
  assert.equal(cut, { node: 'A2', pid: process.pid, depth: 3, attempts: 1, atMs: 42 })
  assert.ok(states.has('T'), `sequencer-A2 was held (states seen: ${[...states].join(', ')})`)
  assert.is.not(procState(seqA2.pid!), 'T', 'and continued after the cut')
  assert.is(conductor.election.leader, 'A2')
  assert.is(conductor.election.paused, false, 'paused only during the cut')
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
