import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assertValid, checkAccessListCall, post, startIndexSupervisor } from '../_fixtures/indexSupervisor.js'
import { sampleAccesses, seedIndex } from '../_fixtures/seedIndex.js'
import { type LoadResult, ratio, report, runLoad } from '../_harness.js'

// Item 6 of issue 7: a 70 KB batch of 1,000 supervisor_syncStatus answered 1.55 MB and held the
// main thread 94–433 ms; 4 clients looping it pushed everyone else's p99 from ~5 ms to 1.34 s.
// A well-behaved client (one check per request, 8 connections, no pipelining) measures its p99
// alone, then while 4 abusive clients loop that batch, in the same run, on the supervisor's real
// server over a seeded index. Target: p99 under abuse ≤ 2 × alone. The same abuse against the
// server without batch costs (as before the fix) shows what was fixed; abusers looping the
// largest batch the budget admits (20 syncStatus) are reported too. Sides alternate
// (alone, abused, abused, alone…) so that the machine's load hits both.
const GOOD_CONNECTIONS = 8
const ABUSERS = 4
const SLICE_S = Number(process.env.BENCH_SLICE_S ?? 4)
const SLICES = Number(process.env.BENCH_SLICES ?? 2)
const BODIES = 500

const dir = mkdtempSync(join(tmpdir(), 'sg-bench-abuse-'))
const index = await seedIndex({ dir, logs: 20_000 })
const guarded = await startIndexSupervisor(index)
const unguarded = await startIndexSupervisor(index, { methodCosts: false })
const execTimestamp = index.headTimestamp + 2n
const picked = sampleAccesses(index.accesses, BODIES, 3)
const checks = picked.map((a, i) =>
  JSON.stringify(checkAccessListCall(i + 1, [a], index.chains.find((c) => c !== a.chainId)!, execTimestamp)),
)
const syncStatusBatch = (n: number) =>
  JSON.stringify(
    Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'supervisor_syncStatus', params: [] })),
  )
const heavy = syncStatusBatch(1000)
const allowed = syncStatusBatch(20)

/** One heavy batch, timed from outside: bytes answered and how long the server took. */
async function probe(url: string, body: string) {
  const t0 = performance.now()
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const text = await res.text()
  return { status: res.status, responseBytes: text.length, ms: Math.round((performance.now() - t0) * 10) / 10 }
}

/** p99 of the well-behaved client alone and under `abuse` (autocannon workers, each its own thread). */
async function measure(url: string, abuse: string) {
  const alone: LoadResult[] = []
  const abused: LoadResult[] = []
  let abuserRequests = 0
  for (let i = 0; i < SLICES; i++) {
    for (const side of i % 2 === 0 ? (['alone', 'abused'] as const) : (['abused', 'alone'] as const)) {
      const good = runLoad({ url, bodies: checks, connections: GOOD_CONNECTIONS, durationS: SLICE_S })
      const bad =
        side === 'abused' ? runLoad({ url, bodies: [abuse], connections: ABUSERS, durationS: SLICE_S }) : undefined
      const [g, b] = await Promise.all([good, bad])
      if (g.errors > 0 || g.non2xx > 0) throw new Error(`well-behaved client: ${g.errors} errors, ${g.non2xx} non-2xx`)
      if (b) abuserRequests += b.total
      ;(side === 'alone' ? alone : abused).push(g)
    }
  }
  const median = (rs: LoadResult[]) =>
    rs.map((r) => r.p99Ms).toSorted((a, b) => a - b)[Math.floor((rs.length - 1) / 2)]!
  const reqPerSec = (rs: LoadResult[]) => Math.round(rs.reduce((n, r) => n + r.reqPerSec, 0) / rs.length)
  return {
    alone: { p99Ms: median(alone), reqPerSec: reqPerSec(alone), slices: alone.map((r) => r.p99Ms) },
    abused: { p99Ms: median(abused), reqPerSec: reqPerSec(abused), slices: abused.map((r) => r.p99Ms) },
    ratio: ratio(median(abused), median(alone)),
    abuserRequests,
  }
}

try {
  for (const [i, body] of checks.entries()) if (i % 25 === 0) assertValid(await post(guarded.url, body), `check ${i}`)
  // Warm-up (JIT, sockets, page cache), not reported.
  for (const url of [guarded.url, unguarded.url])
    await runLoad({ url, bodies: checks, connections: GOOD_CONNECTIONS, durationS: 1 })

  const heavyBatch = {
    requestBytes: heavy.length,
    before: await probe(unguarded.url, heavy),
    after: await probe(guarded.url, heavy),
  }
  const main = await measure(guarded.url, heavy)
  const largestAdmitted = await measure(guarded.url, allowed)
  const beforeFix = await measure(unguarded.url, heavy)
  report('supervisor.batchAbuse', {
    question:
      'check p99 of a well-behaved client while 4 clients loop a 1,000 × supervisor_syncStatus batch, against alone',
    goodConnections: GOOD_CONNECTIONS,
    abusers: ABUSERS,
    sliceS: SLICE_S,
    slices: SLICES,
    heavyBatch,
    ...main,
    target: 2,
    largestAdmitted: { batch: '20 × supervisor_syncStatus (cost 1,000)', ...largestAdmitted },
    beforeFix: { server: 'no batch costs (as before)', ...beforeFix },
  })
} finally {
  await guarded.app.close()
  await unguarded.app.close()
  index.close()
  rmSync(dir, { recursive: true, force: true })
}
