import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Hex } from '../../src/engine/types.js'
import { SequencerEvents } from '../../src/sequencer/events.js'
import { type PublishedBlock, RecentBlocks, ReplicaPublisher } from '../../src/sequencer/replicas.js'
import { createLogger } from '../../src/util/logger.js'
import { build, FEE_RECIPIENT, fcu, headOf, newPayloadV4, type Sim, startSim } from '../enginesim/_helpers.js'

const ZERO: Hex = `0x${'00'.repeat(32)}`

/** Seals `n` blocks on `s` on top of its head (a distinct `prevRandao` makes a distinct fork). */
async function seal(s: Sim, n: number, prevRandao: Hex = `0x${'11'.repeat(32)}`): Promise<PublishedBlock[]> {
  const out: PublishedBlock[] = []
  for (let i = 0; i < n; i++) {
    const p = await build(s, await headOf(s), { prevRandao, suggestedFeeRecipient: FEE_RECIPIENT })
    assert.is((await newPayloadV4(s, p.executionPayload)).status, 'VALID')
    await fcu(s, p.executionPayload.blockHash)
    const hash = p.executionPayload.blockHash
    out.push({
      env: { ...p, executionPayload: p.executionPayload },
      version: 4,
      state: { headBlockHash: hash, safeBlockHash: ZERO, finalizedBlockHash: ZERO },
      number: BigInt(p.executionPayload.blockNumber),
      hash,
    })
  }
  return out
}

/** Hands our blocks to `replica` in-process, as a peer would. */
async function feed(replica: Sim, blocks: PublishedBlock[]): Promise<void> {
  for (const b of blocks) {
    assert.is((await newPayloadV4(replica, b.env.executionPayload)).status, 'VALID')
    await fcu(replica, b.hash)
  }
}

type Env = { ours: Sim; replica: Sim; recent: RecentBlocks; events: SequencerEvents; pub: ReplicaPublisher }

async function env(backlog: number, retryBaseMs: number): Promise<Env> {
  const [ours, replica] = await Promise.all([startSim({ fork: 'isthmus' }), startSim({ fork: 'isthmus' })])
  const recent = new RecentBlocks(backlog)
  const events = new SequencerEvents()
  const pub = new ReplicaPublisher(
    { url: replica!.url, name: 'r', jwtSecret: replica!.secret },
    { timeoutMs: 2000, log: createLogger('silent'), recent, events, retryBaseMs, retryMaxMs: retryBaseMs },
  )
  return { ours: ours!, replica: replica!, recent, events, pub }
}

async function closeEnv(e: Env): Promise<void> {
  await e.pub.close()
  await Promise.all([e.ours.close(), e.replica.close()])
}

/** Counts the publisher's failed attempts until it reports block `n` taken. */
async function failuresUntilTaken(e: Env, n: bigint): Promise<number> {
  let failed = 0
  const onFail = (r: { outcome: string }) => {
    if (r.outcome === 'failed') failed++
  }
  const off = e.events.on('replica', onFail)
  try {
    await e.events.waitFor('replica', (r) => r.outcome === 'taken' && r.number === n, 10_000)
  } finally {
    off()
  }
  return failed
}

test('a replica whose head is on another fork is sent our blocks from where the chains part, after one failed attempt', async () => {
  const e = await env(16, 20)
  try {
    // Ours: 1..8. The replica: our 1..2, then 3'..5' of its own (a previous leader's), head 5'.
    const mine = await seal(e.ours, 8)
    await feed(e.replica, mine.slice(0, 2))
    const theirs = await seal(e.replica, 3, `0x${'22'.repeat(32)}`)
    assert.is.not(theirs[2]!.hash, mine[4]!.hash)
    for (const b of mine) e.recent.add(b.env, b.version, b.state)

    const failures = failuresUntilTaken(e, 8n)
    void e.pub.publish(mine[7]!)
    // One SYNCING (for 8), then 3..8 in order: no walk through 6, 5, 4 one failed attempt at a time.
    assert.is(await failures, 1)
    for (const b of mine) assert.is(e.replica.sim.chain.byNumber(b.number)?.hash, b.hash, `block ${b.number}`)
    assert.is(e.replica.sim.chain.head.hash, mine[7]!.hash)
    assert.is(e.pub.status().status, 'ok')
  } finally {
    await closeEnv(e)
  }
})

test('a replica on another fork that parts before the backlog is reported stranded at once, with the reason', async () => {
  const e = await env(3, 20)
  try {
    // Ours: 1..8, 6..8 held. The replica: our 1..2, then 3'..6' of its own: it needs our 3, long gone.
    const mine = await seal(e.ours, 8)
    await feed(e.replica, mine.slice(0, 2))
    await seal(e.replica, 4, `0x${'22'.repeat(32)}`)
    for (const b of mine) e.recent.add(b.env, b.version, b.state)

    const failed = e.events.waitFor('replica', (r) => r.outcome === 'failed', 10_000)
    assert.is(await e.pub.publish(mine[7]!), false)
    await failed
    const st = e.pub.status()
    assert.is(st.status, 'stranded', `status after the first failure: ${JSON.stringify(st)}`)
    assert.match(st.lastError!, /--replica-backlog/)
    // The replica's own blocks were not replaced by a half of ours.
    assert.is(e.replica.sim.chain.head.number, 6n)
  } finally {
    await closeEnv(e)
  }
})

test('blocks a stranded replica got elsewhere meanwhile are answered taken once it is found past them', async () => {
  // 1 s to 2 s between attempts: the window in which the replica syncs from a peer and block 6 is owed.
  const e = await env(2, 2000)
  try {
    const mine = await seal(e.ours, 6)
    for (const b of mine.slice(0, 5)) e.recent.add(b.env, b.version, b.state)
    // The replica has none of 1..5 and we hold only 4..5: stranded (from the attempt that found so).
    const stranded = e.events.waitFor(
      'replica',
      (r) => r.outcome === 'failed' && e.pub.status().status === 'stranded',
      10_000,
    )
    void e.pub.publish(mine[4]!)
    await stranded
    // It syncs 1..6 from a peer, while our block 6 is sealed and owed to it.
    await feed(e.replica, mine)
    const b6 = mine[5]!
    e.recent.add(b6.env, b6.version, b6.state)
    const taken = await Promise.race([
      e.pub.publish(b6),
      new Promise<string>((resolve) => setTimeout(resolve, 8000, 'unanswered after 8 s').unref()),
    ])
    assert.is(taken, true, 'the replica has block 6: its caller is told so')
    const st = e.pub.status()
    assert.is(st.status, 'ok')
    assert.is(st.head, 6)
  } finally {
    await closeEnv(e)
  }
})

test.run()
