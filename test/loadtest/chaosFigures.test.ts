import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { CanonicalBlock, ChainWatch } from '../../src/loadtest/chaos/chainWatch.js'
import { chaosMetric, computeFigures } from '../../src/loadtest/chaos/figures.js'
import { formatChaos } from '../../src/loadtest/chaos/report.js'
import type { SentTx } from '../../src/loadtest/chaos/traffic.js'

// The reorg figures: which valid transactions executed a log that left the canonical chain, and
// what became of each (refused / accepted, before / after the cut, included before / after it, in
// no block); those are valid no more, so they count in neither validRefused nor lost.

const WALL_T0 = 1_800_000_000_000
/** A watcher as computeFigures reads it: a name, a chain id, no leader changes, every block seen at once. */
const watch = (name: string, chainId: number) =>
  ({ name, chainId, leaders: [], seenAt: () => undefined }) as unknown as ChainWatch
/** A block timestamped `ms` after the scenario's t0. */
const block = (number: number, hash: string, ms: number, txs: string[] = []): CanonicalBlock => ({
  number,
  hash,
  timestamp: Math.floor((WALL_T0 + ms) / 1000),
  txs,
})

test('orphaned messages: counted by outcome and time, outside validRefused and lost', () => {
  const gone = { chain: 'A', blockNumber: 10, blockHash: '0xold' }
  const tx = (hash: string, sentMs: number, outcome: SentTx['outcome'], extra: Partial<SentTx> = {}): SentTx => ({
    chain: 'B',
    case: 'valid',
    hash,
    sentMs,
    answeredMs: sentMs + 10,
    outcome,
    source: gone,
    ...extra,
  })
  const sent: SentTx[] = [
    tx('0x1', 1_000, 'accepted'), // included before the cut
    tx('0x2', 4_000, 'accepted'), // included after the cut: the bad case
    tx('0x3', 4_500, 'accepted'), // in no block
    tx('0x4', 2_000, 'refused', { code: -32000 }),
    tx('0x5', 6_000, 'refused', { code: -320600 }),
    tx('0x6', 6_500, 'accepted'), // accepted after the cut
    { chain: 'B', case: 'plain', hash: '0x7', sentMs: 1_000, answeredMs: 1_010, outcome: 'refused', code: -32000 },
    { chain: 'B', case: 'plain', hash: '0x8', sentMs: 1_000, answeredMs: 1_010, outcome: 'accepted' },
  ]
  const f = computeFigures({
    startedAt: new Date(WALL_T0).toISOString(),
    wallT0: WALL_T0,
    windowMs: [0, 10_000],
    slotMs: 1_000,
    rates: { plain: 1, valid: 1, forged: 0 },
    sent,
    skipped: 0,
    chains: [
      // A: block 10 is another block now (the cut at 5 s)
      { watch: watch('A', 901), blocks: [block(9, '0xnine', 1_000), block(10, '0xnew', 6_000)] },
      {
        watch: watch('B', 902),
        blocks: [block(20, '0xb20', 2_000, ['0x1', '0x8']), block(21, '0xb21', 7_000, ['0x2', '0x6'])],
      },
    ],
    faults: [{ atMs: 5_000, action: 'reorg', target: 'engine-sim-A2', pid: 1 }],
    recover: null,
    sweep: { B: { evictVerdicts: 3, notified: 3, rounds: 5 } },
  })
  assert.equal(
    { ...f.reorg, includedAfterExamples: f.reorg?.includedAfterExamples.map((e) => e.hash) },
    {
      sourceChain: 'A',
      reorgAtMs: 5_000,
      executing: 6,
      orphaned: 6,
      refusedBeforeReorg: 1,
      refusedAfterReorg: 1,
      acceptedBeforeReorg: 3,
      acceptedAfterReorg: 1,
      lastAcceptedAfterReorgMs: 1_500,
      includedBeforeReorg: 1,
      includedAfterReorg: 2,
      notIncluded: 1,
      unanswered: 0,
      includedAfterExamples: ['0x2', '0x6'],
    },
  )
  assert.is(f.validRefused, 1, 'only the plain one')
  assert.equal(f.refusedByCode, { '-32000': 1 })
  assert.is(f.lost, 0, 'the orphaned one in no block is in reorg.notIncluded')
  assert.is(f.included, 4, 'orphaned ones included count as included')
  assert.is(chaosMetric(f, 'reorgIncludedAfter'), 2)
  assert.is(chaosMetric(f, 'reorgAcceptedAfter'), 1)
  assert.is(chaosMetric(f, 'sweepEvictVerdicts'), 3)
  assert.match(formatChaos(f), /reorg {6}6 valid interop transactions executed logs of A/)
  assert.match(formatChaos(f), /sweep {6}B: 3 evict verdicts, 3 builder notices, 5 rounds/)
})

test('a log still canonical: no orphan; no reorg step: no reorg figures', () => {
  const input = {
    startedAt: '',
    wallT0: WALL_T0,
    windowMs: [0, 3_000] as [number, number],
    slotMs: 1_000,
    rates: { plain: 0, valid: 1, forged: 0 },
    sent: [
      {
        chain: 'B',
        case: 'valid' as const,
        hash: '0x1',
        sentMs: 100,
        answeredMs: 110,
        outcome: 'refused' as const,
        code: -32000,
        source: { chain: 'A', blockNumber: 10, blockHash: '0xten' },
      },
    ],
    skipped: 0,
    chains: [{ watch: watch('A', 901), blocks: [block(10, '0xten', 500)] }],
    recover: null,
  }
  const kept = computeFigures({ ...input, faults: [{ atMs: 1_000, action: 'reorg', target: 'x', pid: null }] })
  assert.is(kept.reorg?.orphaned, 0)
  assert.is(kept.validRefused, 1, 'still valid: its refusal counts')
  const none = computeFigures({ ...input, faults: [] })
  assert.is(none.reorg, undefined)
  assert.is(chaosMetric(none, 'reorgOrphaned'), 0)
})

test.run()
