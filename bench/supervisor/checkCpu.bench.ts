import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CheckResult, checkAccesses, createIndexBackend } from '../../src/check/index.js'
import type { LogReader } from '../../src/check/types.js'
import type { Access } from '../../src/interop/index.js'
import { IndexLogReader } from '../../src/logindex/index.js'
import { sampleAccesses, seedIndex } from '../_fixtures/seedIndex.js'
import { report } from '../_harness.js'

// CPU time per single check (process.cpuUsage, this thread) on the supervisor's reader, by how its
// look-ups take SQLite's read lock: `autocommit` (each look-up its own implicit transaction: the
// WAL read mark and the file's shared lock taken and dropped, fcntl calls), `perCheck` (a BEGIN …
// COMMIT around each check, as `snapshot()` per request), `held` (one read transaction held across
// turns, TurnSnapshot: the supervisor's mode). Checks go in turns of `perTurn` (1: a latency-bound
// client; 10: a saturated server's poll phase), an event-loop turn (setImmediate) between turns.
// `turns` is the same loop without checks; net µs per check = (mode − turns) ÷ checks. Modes
// rotate within every round so load changes hit all alike; ratios are held ÷ autocommit per round.
const CHECKS = Number(process.env.BENCH_CHECKS ?? 20_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const PER_TURN = [1, 10]

const dir = mkdtempSync(join(tmpdir(), 'sg-bench-check-cpu-'))
const index = await seedIndex({ dir, logs: 100_000 })
const execTimestamp = index.headTimestamp + 2n
const picked = sampleAccesses(index.accesses, CHECKS, 7)

const autocommit = new IndexLogReader(index.db, { chains: index.chains, state: index.store })
const held = index.reader // heldSnapshot: as startIndexer builds it
const backends = {
  autocommit: createIndexBackend(autocommit, { status: () => index.status() }),
  held: createIndexBackend(held, { status: () => index.status() }),
}
type Mode = 'turns' | 'autocommit' | 'perCheck' | 'held'
const MODES: Mode[] = ['turns', 'autocommit', 'perCheck', 'held']

const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

function checkOne(mode: Exclude<Mode, 'turns'>, a: Access): void {
  const backend = mode === 'held' ? backends.held : backends.autocommit
  const descriptor = { chainId: index.chains.find((c) => c !== a.chainId)!, timestamp: execTimestamp, timeout: 86_400n }
  const run = () => checkAccesses(backend, [a], 'cross-unsafe', descriptor)
  const result = mode === 'perCheck' ? backend.snapshot(run) : run()
  if (!(result as CheckResult).ok)
    throw new Error(`a valid access failed: ${(result as { error: Error }).error.message}`)
}

/** CPU µs of `CHECKS` checks in turns of `perTurn` (or the turns alone). */
async function measure(mode: Mode, perTurn: number): Promise<number> {
  const start = process.cpuUsage()
  for (let i = 0; i < CHECKS; ) {
    const end = Math.min(CHECKS, i + perTurn)
    if (mode === 'turns') i = end
    else for (; i < end; i++) checkOne(mode, picked[i]!)
    await turn()
  }
  const used = process.cpuUsage(start)
  return used.user + used.system
}

const check: LogReader = held
try {
  // Warm-up (JIT, page cache), not reported; and a sanity check that the modes answer alike.
  for (const mode of MODES) await measure(mode, 10)
  if (!check.findLog(picked[0]!.chainId, picked[0]!.blockNumber, picked[0]!.logIndex)) throw new Error('no log')
  const load = [loadavg()[0]]
  const results: Record<string, unknown>[] = []
  for (const perTurn of PER_TURN) {
    const rounds: Record<Mode, number>[] = []
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? MODES : [...MODES].reverse()
      const out = {} as Record<Mode, number>
      for (const mode of order) out[mode] = await measure(mode, perTurn)
      rounds.push(out)
    }
    const net = (r: Record<Mode, number>, m: Mode) => Math.max(0, r[m] - r.turns) / CHECKS
    const round2 = (x: number) => Math.round(x * 100) / 100
    results.push({
      perTurn,
      turnUsPerCheck: rounds.map((r) => round2(r.turns / CHECKS)),
      netUsPerCheck: Object.fromEntries(
        (['autocommit', 'perCheck', 'held'] as const).map((m) => [m, rounds.map((r) => round2(net(r, m)))]),
      ),
      heldOverAutocommit: rounds.map((r) => round2(net(r, 'held') / net(r, 'autocommit'))),
      perCheckOverAutocommit: rounds.map((r) => round2(net(r, 'perCheck') / net(r, 'autocommit'))),
    })
  }
  load.push(loadavg()[0])
  report('supervisor.checkCpu', { checks: CHECKS, rounds: ROUNDS, results, loadAvg1m: load })
} finally {
  index.close()
  rmSync(dir, { recursive: true, force: true })
}
