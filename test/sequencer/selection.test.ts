import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type SelectionInput, selectBlock } from '../../src/sequencer/selection.js'
import type { ExecutionMode } from '../../src/sequencer/types.js'
import { candidate, h32 } from './_fixtures.js'

const base = (over: Partial<SelectionInput> = {}): SelectionInput => ({
  mode: 'enabled',
  candidates: [],
  localGasUsed: 1_000_000n,
  version: 3,
  minGasRatio: 0,
  ...over,
})

test('no candidates → local', () => {
  assert.equal(selectBlock(base()), { source: 'local', reason: 'no_candidates' })
})

test('one valid candidate → builder', () => {
  const c = candidate({ builder: 'a' })
  const s = selectBlock(base({ candidates: [c] }))
  assert.is(s.source, 'builder')
  assert.is(s.source === 'builder' && s.candidate, c)
})

test('highest blockValue wins, whatever the order', () => {
  const lo = candidate({ builder: 'a', blockValue: 5n })
  const hi = candidate({ builder: 'b', blockValue: 9n })
  const mid = candidate({ builder: 'c', blockValue: 7n })
  for (const order of [
    [lo, hi, mid],
    [hi, mid, lo],
    [mid, lo, hi],
  ]) {
    const s = selectBlock(base({ candidates: order }))
    assert.is(s.source === 'builder' && s.candidate.builder, 'b')
  }
})

test('ties go to the earlier arrival', () => {
  const early = candidate({ builder: 'a', blockValue: 5n, seq: 10 })
  const late = candidate({ builder: 'b', blockValue: 5n, seq: 11 })
  assert.is(
    (selectBlock(base({ candidates: [late, early] })) as { candidate: { builder: string } }).candidate.builder,
    'a',
  )
  assert.is(
    (selectBlock(base({ candidates: [early, late] })) as { candidate: { builder: string } }).candidate.builder,
    'a',
  )
})

test('disabled → local even with candidates', () => {
  assert.equal(selectBlock(base({ mode: 'disabled', candidates: [candidate({ builder: 'a' })] })), {
    source: 'local',
    reason: 'disabled',
  })
})

test('dry_run → local, reports the block it would have used', () => {
  const c = candidate({ builder: 'a' })
  const s = selectBlock(base({ mode: 'dry_run', candidates: [c] }))
  assert.equal(s, { source: 'local', reason: 'dry_run', best: c })
  assert.equal(selectBlock(base({ mode: 'dry_run' })), { source: 'local', reason: 'dry_run' })
})

test('min gas ratio: below → local, at or above → builder', () => {
  const c = (gas: bigint) => candidate({ builder: 'a', gasUsed: gas })
  assert.equal(selectBlock(base({ minGasRatio: 0.1, candidates: [c(99_999n)] })).reason, 'min_gas_ratio')
  assert.is(selectBlock(base({ minGasRatio: 0.1, candidates: [c(100_000n)] })).source, 'builder')
  assert.is(selectBlock(base({ minGasRatio: 0.1, candidates: [c(5_000_000n)] })).source, 'builder')
  // 0 disables the guard, an empty local block never blocks a builder block.
  assert.is(selectBlock(base({ minGasRatio: 0, candidates: [c(0n)] })).source, 'builder')
  assert.is(selectBlock(base({ minGasRatio: 0.5, localGasUsed: 0n, candidates: [c(0n)] })).source, 'builder')
  // Ratio above 1: the builder block must be fuller than the local one.
  assert.equal(selectBlock(base({ minGasRatio: 1.5, candidates: [c(1_400_000n)] })).reason, 'min_gas_ratio')
})

test('min gas ratio drops the best; a fuller lower-value block still wins', () => {
  const rich = candidate({ builder: 'rich', blockValue: 100n, gasUsed: 1n })
  const full = candidate({ builder: 'full', blockValue: 50n, gasUsed: 900_000n })
  const s = selectBlock(base({ minGasRatio: 0.5, candidates: [rich, full] }))
  assert.is(s.source === 'builder' && s.candidate.builder, 'full')
})

test('known hashes are never handed out again', () => {
  const c = candidate({ builder: 'a', blockHash: h32(0xee) })
  assert.equal(selectBlock(base({ candidates: [c], knownHashes: new Set([h32(0xee)]) })).reason, 'known_block')
  const other = candidate({ builder: 'b', blockValue: 1n })
  const s = selectBlock(base({ candidates: [c, other], knownHashes: new Set([h32(0xee)]) }))
  assert.is(s.source === 'builder' && s.candidate.builder, 'b')
})

test('a candidate of another engine version is not used', () => {
  const c = candidate({ builder: 'a', engineVersion: 3 })
  assert.equal(selectBlock(base({ version: 4, candidates: [c] })).reason, 'version_mismatch')
})

test('every mode × candidate count × ratio outcome is consistent', () => {
  const modes: ExecutionMode[] = ['enabled', 'dry_run', 'disabled']
  for (const mode of modes)
    for (const n of [0, 1, 3])
      for (const ratio of [0, 0.1, 2]) {
        const cs = Array.from({ length: n }, (_, i) =>
          candidate({ builder: `b${i}`, blockValue: BigInt(i), gasUsed: 500_000n }),
        )
        const s = selectBlock(base({ mode, candidates: cs, minGasRatio: ratio }))
        const eligible = ratio <= 0.5 ? n : 0
        if (mode === 'enabled' && eligible > 0) {
          assert.is(s.source, 'builder')
          assert.is(s.source === 'builder' && s.candidate.builder, `b${n - 1}`)
        } else {
          assert.is(s.source, 'local')
          assert.is(
            s.reason,
            mode === 'disabled'
              ? 'disabled'
              : mode === 'dry_run'
                ? 'dry_run'
                : n === 0
                  ? 'no_candidates'
                  : 'min_gas_ratio',
          )
        }
      }
})

test.run()
