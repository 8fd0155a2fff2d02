import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Indexer, startIndexer } from '../../src/logindex/index.js'
import { createLogger } from '../../src/util/logger.js'
import { untilIndexed } from '../_helpers/untilIndexed.js'
import { CHAIN_ID, startConductorPair } from './_env.js'

const CHAIN = BigInt(CHAIN_ID)

// The 3x3 devnet's steady-full-rate after the fault scenarios (2026-12-06 18:11 UTC): leadership
// went back to B1 and C1, which had led until kill-leader-supervisor four minutes earlier. Their
// replica publishers still owed the replicas the blocks after their last term: they sent them again
// from there, each with a forkchoice update making it the head, so every replica's head went back four
// minutes and came forward one block per round trip. Supervisors 2 and 3 index those replicas: for
// ~8 s they answered -321100 "not yet ingested (min ingested: <4 minutes ago>)", and the ingresses'
// 2-of-3 agreement refused 131 valid transactions. Here: n1 leads, n2 leads, n1 leads again; the
// replica of n1 (n2's engine) and a supervisor's index of it must never go back.

test('a sequencer leading again after another leader: its replicas and the index of them never go back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-leader-returns-'))
  const { e2, s1, s2, lead, close } = await startConductorPair({ blockTime: 250, execution: 'sim' })
  // Supervisor 2's role: an index of n2's engine, which is n1's replica.
  let indexer: Indexer | undefined
  try {
    indexer = await startIndexer({
      chains: [{ url: e2.url }],
      dbPath: join(dir, 'index.db'),
      backfillMs: 3_600_000,
      pollMs: 20,
      logger: createLogger('silent'),
      progress: false,
    })
    const ix = indexer
    // n1 leads for 3 blocks, each taken by its replica (e2).
    for (let i = 0; i < 3; i++) await s1.events.waitFor('published', (p) => p.replicas === 1, 10_000)
    // n2 leads for 6 blocks, each taken by e1 (n1's engine).
    lead('n2')
    let last = 0n
    for (let i = 0; i < 6; i++) last = (await s2.events.waitFor('published', (p) => p.replicas === 1, 10_000)).number
    await untilIndexed(
      ix,
      `index of e2 at n2's block ${last}`,
      () => (ix.reader.head(CHAIN, 'unsafe')?.number ?? -1n) >= last,
    )

    // From here e2's head, and the index's, may only grow.
    const chain = e2.sim.chain
    const setHead = chain.setHead.bind(chain)
    const backwards: string[] = []
    chain.setHead = (block) => {
      if (block.number < chain.head.number) backwards.push(`${chain.head.number} -> ${block.number}`)
      return setHead(block)
    }
    const reorgs: string[] = []
    ix.on('reorg', (e) => reorgs.push(`${e.from.number} -> ${e.to?.number}`))
    const taken: bigint[] = []
    const off = s1.events.on('replica', (r) => {
      if (r.outcome === 'taken' && r.number !== undefined) taken.push(r.number)
    })

    lead('n1')
    const back = await s1.events.waitFor('published', (p) => p.number > last && p.replicas === 1, 10_000)
    off()
    await untilIndexed(
      ix,
      `index of e2 at n1's block ${back.number}`,
      () => (ix.reader.head(CHAIN, 'unsafe')?.number ?? -1n) >= back.number,
    )

    assert.equal(backwards, [], `e2's head went back: ${backwards.join(', ')}`)
    assert.equal(
      taken.filter((n) => n < back.number),
      [],
      `n1 resent blocks of n2's term to e2 (taken: ${taken.join(', ')})`,
    )
    assert.equal(reorgs, [], `the index of e2 rewound: ${reorgs.join(', ')}`)
    assert.is(e2.sim.chain.head.hash, back.blockHash)
  } finally {
    await indexer?.close()
    await close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
