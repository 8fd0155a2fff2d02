import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Access } from '../../src/interop/index.js'
import { IndexLogReader } from '../../src/logindex/index.js'
import { startEchoServer } from '../_baselines/echoServer.js'
import { assertValid, checkAccessListCall, post, startIndexSupervisor } from '../_fixtures/indexSupervisor.js'
import { sampleAccesses, seedIndex } from '../_fixtures/seedIndex.js'
import { type LoadResult, ratio, report, runLoad } from '../_harness.js'

// supervisor_checkAccessList over HTTP, one request per check: the supervisor's real JSON-RPC
// server on a seeded index (this thread, as in production) against the bare fastify echo server
// fed the very same bodies, same connections/pipelining, in this run. Issue target: 1 entry pair
// per request ≥ 0.8 of the echo's requests/s, both at saturation (100 connections × pipelining 10)
// and at 10 connections with one request in flight each (what a few op-geth nodes send). 8 and 64
// pairs per request are measured too (aesthetics §7.6), shorter. The two servers take turns in
// short slices (echo, check, check, echo, …) so that a change in the machine's load during the run
// hits both sides alike.
const CONNECTIONS = 100
const PIPELINING = 10
/** 10 connections, one request in flight each: latency-bound, every request its own read and write. */
const LIGHT = { connections: 10, pipelining: 1 }
const SLICE_S = Number(process.env.BENCH_SLICE_S ?? 4)
const SLICES = Number(process.env.BENCH_SLICES ?? 2)
/** 8 and 64 pairs: one slice each side, without pipelining (9 KB bodies × 1,000 in flight time out on a shared box). */
const VARIANT = { slices: 1, sliceS: 2, pipelining: 1, connections: CONNECTIONS }
const BODIES = 1_000

const dir = mkdtempSync(join(tmpdir(), 'sg-bench-check-'))
const seeded = await seedIndex({ dir, logs: 100_000 })
// BENCH_READER=autocommit: every look-up its own implicit transaction (the reader before held
// snapshots), to compare the two in one session; default: the held snapshot, as startIndexer.
const READER = process.env.BENCH_READER === 'autocommit' ? 'autocommit' : 'held'
const index =
  READER === 'held'
    ? seeded
    : { ...seeded, reader: new IndexLogReader(seeded.db, { chains: seeded.chains, state: seeded.store }) }
const supervisor = await startIndexSupervisor(index)
const echo = await startEchoServer()
// BENCH_ECHO_SPIN_US=N: a third side, the echo burning N µs of CPU a request before it answers, in
// the same slices: what a server with N µs more work a request than the echo reaches on this
// machine, to set beside the supervisor (the floor experiment, README "where the time goes").
const SPIN_US = Number(process.env.BENCH_ECHO_SPIN_US ?? 0)
const spun = SPIN_US > 0 ? await startEchoServer({ spinUs: SPIN_US }) : undefined
const urls = { echo: echo.url, check: supervisor.url, spun: spun?.url ?? '' }
type Side = keyof typeof urls
const SIDES: Side[] = spun ? ['echo', 'check', 'spun'] : ['echo', 'check']
const execTimestamp = index.headTimestamp + 2n

/** `BODIES` request bodies of `pairs` valid accesses each, executing on another chain than the first access's. */
function bodies(pairs: number, seed: number): string[] {
  const picked = sampleAccesses(index.accesses, BODIES * pairs, seed)
  return Array.from({ length: BODIES }, (_, i) => {
    const accesses: Access[] = picked.slice(i * pairs, (i + 1) * pairs)
    const executing = index.chains.find((c) => c !== accesses[0]!.chainId)!
    return JSON.stringify(checkAccessListCall(i + 1, accesses, executing, execTimestamp))
  })
}

/** Every body must answer `result: null`, and a tampered checksum must not: a benchmark of errors means nothing. */
async function verify(list: readonly string[]): Promise<void> {
  for (const [i, body] of list.entries()) if (i % 5 === 0) assertValid(await post(supervisor.url, body), `body ${i}`)
  const tampered = list[0]!.replace(/"0x03([0-9a-f]{2})/, (_m, b: string) => `"0x03${b === '00' ? '01' : '00'}`)
  const answer = (await post(supervisor.url, tampered)) as { error?: { code: number } }
  if (answer.error?.code !== -320600) throw new Error(`a tampered checksum answered ${JSON.stringify(answer)}`)
}

/**
 * CPU ms (user + system) of this process's main thread, from /proc (Linux; clock ticks of 10 ms,
 * ~2.5 % of a 4 s slice): Node 20 has no per-thread cpuUsage, and the process's includes autocannon.
 */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

type Shape = { slices: number; sliceS: number; pipelining: number; connections: number }
const MAIN: Shape = { slices: SLICES, sliceS: SLICE_S, pipelining: PIPELINING, connections: CONNECTIONS }
const MAIN_LIGHT: Shape = { slices: SLICES, sliceS: SLICE_S, ...LIGHT }

/** Slices of both servers in ABBA order; requests/s over all slices of a side, p99 the median of its slices. */
async function alternate(list: readonly string[], shape: Shape) {
  type Run = LoadResult & { busyUsPerRequest: number }
  const runs: Record<Side, Run[]> = { echo: [], check: [], spun: [] }
  for (let i = 0; i < shape.slices; i++) {
    for (const side of i % 2 === 0 ? SIDES : SIDES.toReversed()) {
      // The main thread's CPU time per request: both servers run on it and autocannon on a worker,
      // so this is the server's cost per request, which a box shared with other work disturbs less
      // than req/s (time stolen by other processes is not counted).
      const cpu0 = mainThreadCpuMs()
      const r = await runLoad({
        url: urls[side],
        bodies: list,
        connections: shape.connections,
        pipelining: shape.pipelining,
        durationS: shape.sliceS,
      })
      // Timeouts (autocannon's 10 s) happen on a starved shared box, to both sides: counted and
      // reported; more than 2 % of the requests, or any non-2xx, makes the slice meaningless.
      if (r.errors > r.total * 0.02 || r.non2xx > 0)
        throw new Error(`${side}: ${r.errors} errors of ${r.total}, ${r.non2xx} non-2xx`)
      const busyUs = (mainThreadCpuMs() - cpu0) * 1000
      runs[side].push({ ...r, busyUsPerRequest: r.total > 0 ? busyUs / r.total : 0 })
    }
  }
  const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!
  const summary = (rs: Run[]) => ({
    busyUsPerRequest: Math.round(median(rs.map((r) => r.busyUsPerRequest)) * 10) / 10,
    reqPerSec: Math.round(rs.reduce((n, r) => n + r.reqPerSec, 0) / rs.length),
    p99Ms: rs.map((r) => r.p99Ms).toSorted((a, b) => a - b)[Math.floor((rs.length - 1) / 2)]!,
    slices: rs.map((r) => r.reqPerSec),
    timeouts: rs.reduce((n, r) => n + r.errors, 0),
  })
  return { echo: summary(runs.echo), check: summary(runs.check), spun: spun ? summary(runs.spun) : undefined }
}

/** Echo against supervisor on the same bodies; the checks the supervisor counted under load must all be valid. */
async function compare(pairs: number, shape: Shape) {
  const list = bodies(pairs, 100 + pairs)
  await verify(list)
  const before = await supervisor.checksByCode()
  const { echo: e, check: c, spun: sp } = await alternate(list, shape)
  const after = await supervisor.checksByCode()
  for (const [code, n] of after)
    if (code !== 0 && n !== (before.get(code) ?? 0))
      throw new Error(`${n - (before.get(code) ?? 0)} checks answered ${code} under load`)
  const validChecks = (after.get(0) ?? 0) - (before.get(0) ?? 0)
  return {
    pairs,
    bodyBytes: Math.round(list.reduce((n, b) => n + b.length, 0) / list.length),
    echo: e,
    check: c,
    ratio: ratio(c.reqPerSec, e.reqPerSec),
    /** Echo's main-thread CPU µs per request ÷ the supervisor's: the ratio in server CPU, load aside. */
    busyRatio: ratio(e.busyUsPerRequest, c.busyUsPerRequest),
    ...(sp ? { spun: { spinUs: SPIN_US, ...sp, ratio: ratio(sp.reqPerSec, e.reqPerSec) } } : {}),
    validChecks,
    ...shape,
  }
}

try {
  // Warm-up (JIT, sockets, SQLite page cache), not reported.
  const warm = bodies(1, 1)
  for (const side of SIDES)
    await runLoad({ url: urls[side], bodies: warm, connections: CONNECTIONS, pipelining: PIPELINING, durationS: 1 })

  const load1 = loadavg()[0]
  const main = await compare(1, MAIN)
  const light = await compare(1, MAIN_LIGHT)
  // The larger bodies time out first on a starved box: a failed variant is reported, not fatal.
  const variant = (pairs: number) => compare(pairs, VARIANT).catch((err: Error) => ({ pairs, failed: err.message }))
  const variants = [await variant(8), await variant(64)]
  report('supervisor.checkAccessList', {
    index: { chains: index.chains.length, logs: index.accesses.length, seedSeconds: Number(index.seconds.toFixed(1)) },
    bodies: BODIES,
    reader: READER,
    ...main,
    light,
    target: 0.8,
    variants,
    loadAvg1m: [load1, loadavg()[0]],
  })
} finally {
  await supervisor.app.close()
  await echo.app.close()
  await spun?.app.close()
  index.close()
  rmSync(dir, { recursive: true, force: true })
}
