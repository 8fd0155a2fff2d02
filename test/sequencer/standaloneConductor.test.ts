import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startEngineSim } from '../../src/enginesim/start.js'
import { createRpcServer } from '../../src/rpc/server.js'
import { sequencerConfig, startSequencer } from '../../src/sequencer/start.js'
import { freePort } from '../../src/util/freePort.js'
import { createLogger } from '../../src/util/logger.js'
import { captureLog } from '../_helpers/captureLog.js'
import { CHAIN_ID, jwtFile, startConductorPair } from './_env.js'

// The standalone sequencer asks op-conductor every slot: an unreachable conductor (or one refusing
// every commit) is logged once per interval with a count and once when it answers again, not once
// per slot (before: a warning every block time for as long as it lasted).

const SLOTS = 8

async function run(
  conductorUrl: string,
): Promise<{ lines: { level: number; msg: string; [k: string]: unknown }[]; skipped: number }> {
  const jwt = jwtFile()
  const engine = await startEngineSim({
    execution: 'sim',
    jwtSecret: jwt.secret,
    chainId: CHAIN_ID,
    genesisTime: Math.floor(Date.now() / 1000) - 5,
  })
  const { logger, lines } = captureLog()
  const seq = await startSequencer(
    sequencerConfig({
      engine: `${engine.url},jwt=${jwt.path}`,
      blockTime: 100,
      noticeMs: 20,
      conductor: conductorUrl,
      listenBuilder: '127.0.0.1:0',
      listenDebug: '127.0.0.1:0',
      maxUnsafeAge: 0,
      failureLogInterval: 60_000,
    }),
    { logger },
  )
  try {
    let skipped = 0
    await seq.events.waitFor('slot', (s) => s.outcome === 'skipped' && ++skipped >= SLOTS, 10_000)
    return { lines, skipped }
  } finally {
    await seq.close()
    await engine.close()
  }
}

test('standalone, conductor unreachable: slots skipped, one warning', async () => {
  const { lines, skipped } = await run(`http://127.0.0.1:${await freePort()}`)
  const warned = lines.filter((l) => l.msg === 'conductor unreachable; not building')
  assert.is(warned.length, 1, `${warned.length} warnings for ${skipped} skipped slots`)
  assert.is(warned[0]!.level, 40)
})

test('standalone, conductor refusing every commit: blocks not published, one warning', async () => {
  const conductor = createRpcServer({
    methods: new Map([
      ['conductor_leader', () => true],
      [
        'conductor_commitUnsafePayload',
        () => {
          throw new Error('not leader anymore')
        },
      ],
    ]),
    logger: createLogger('silent'),
  })
  await conductor.listen({ host: '127.0.0.1', port: 0 })
  try {
    const { lines, skipped } = await run(`http://127.0.0.1:${(conductor.server.address() as AddressInfo).port}`)
    const warned = lines.filter((l) => l.msg === 'conductor commit failed; block not published')
    assert.is(warned.length, 1, `${warned.length} warnings for ${skipped} refused commits`)
  } finally {
    await conductor.close()
  }
})

test('leadership moving to a follower: it builds on the blocks the old leader published to its engine', async () => {
  const { e1, e2, s1, s2, lead, close } = await startConductorPair({ blockTime: 1000 })
  try {
    // n1 leads for 3 blocks, published to e2; n2's own head stays its genesis meanwhile.
    for (let i = 0; i < 3; i++) await s1.events.waitFor('published', (p) => p.replicas === 1, 10_000)
    lead('n2')
    const first = await s2.events.waitFor('published', () => true, 10_000)
    const at = e2.sim.chain.byNumber(first.number)!
    assert.ok(first.number >= 4n, `n2 sealed block ${first.number}, on top of n1's blocks`)
    assert.is(e2.sim.chain.byNumber(first.number - 1n)!.hash, at.payload.parentHash)
    // …and both engines hold one chain.
    await s2.events.waitFor('published', (p) => p.replicas === 1, 10_000)
    assert.is(e1.sim.chain.byNumber(first.number)?.hash, first.blockHash)
  } finally {
    await close()
  }
})

test.run()
