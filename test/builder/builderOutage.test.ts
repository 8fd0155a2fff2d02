import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { PoolEntry } from '../../src/builder/feePolicy.js'
import { InteropChecker } from '../../src/builder/interopCheck.js'
import { builderSpec } from '../../src/builder/options.js'
import { type BuilderHandle, startBuilder } from '../../src/builder/start.js'
import { loadConfig } from '../../src/config/index.js'
import type { Hex } from '../../src/engine/types.js'
import { type EngineSimHandle, startEngineSim } from '../../src/enginesim/start.js'
import { CROSS_L2_INBOX, encodeAccess } from '../../src/interop/index.js'
import { createRpcServer } from '../../src/rpc/server.js'
import { freePort } from '../../src/util/freePort.js'
import { createLogger } from '../../src/util/logger.js'
import { captureLog, type LogLine as Line } from '../_helpers/captureLog.js'
import { jsonRpc } from '../_helpers/jsonRpc.js'
import { TcpPipe } from '../faults/tcpPipe.js'
import { bearer, CHAIN_ID, jwtFile } from '../sequencer/_env.js'

// The reference builder while its engine (or its supervisor) is down: a failed engine look-up
// backs off instead of being retried every 25 ms until the job's deadline (~40 requests/s, each
// job starting over), and a job missed for want of the parent is logged once per interval with a
// count, not once per job (once per slot during an outage). The supervisor of the interop check
// likewise: one warning per interval and a backoff, not a request and a warning per rebuild.

const LOG_INTERVAL_MS = 1000
const OUTAGE_MS = 3000
/** A job every 250 ms, each with a deadline 200 ms away: a missed job ends before the next starts. */
const JOB_EVERY_MS = 250

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

type Env = {
  engine: EngineSimHandle
  pipe: TcpPipe
  builder: BuilderHandle
  lines: Line[]
  secret: Buffer
  genesis: { hash: Hex; number: Hex; timestamp: Hex }
  close(): Promise<void>
}

/** engine-sim ← TCP pipe ← builder; the sequencer it submits to is a closed port (submissions fail, and are still reported). */
async function outageEnv(): Promise<Env> {
  const eJwt = jwtFile()
  const jwt = jwtFile()
  const engine = await startEngineSim({ execution: 'sim', jwtSecret: eJwt.secret, chainId: CHAIN_ID })
  const pipe = await TcpPipe.start(engine.url)
  const { logger, lines } = captureLog()
  const { config } = loadConfig(builderSpec, {
    argv: [
      '--listen',
      '127.0.0.1:0',
      '--sequencer',
      `http://127.0.0.1:${await freePort()}`,
      '--jwt-secret',
      jwt.path,
      '--engine',
      `${pipe.url},jwt=${eJwt.path}`,
      '--chain-id',
      String(CHAIN_ID),
      '--failure-log-interval',
      `${LOG_INTERVAL_MS}ms`,
    ],
  })
  const builder = await startBuilder(config, { logger })
  const g = (await jsonRpc(engine.url, 'eth_getBlockByNumber', ['0x0', false], bearer(eJwt.secret))).result as {
    hash: Hex
    number: Hex
    timestamp: Hex
  }
  return {
    engine,
    pipe,
    builder,
    lines,
    secret: jwt.secret,
    genesis: { hash: g.hash, number: g.number, timestamp: g.timestamp },
    async close() {
      await builder.close()
      await pipe.close()
      await engine.close()
    },
  }
}

let seq = 0
/** Announces a job on the genesis block, due in `dueMs`; resolves with its id. */
async function announce(env: Env, dueMs: number): Promise<Hex> {
  const jobId = `0x${(++seq).toString(16).padStart(16, '0')}` as Hex
  const attributes = {
    timestamp: `0x${(BigInt(env.genesis.timestamp) + 2n).toString(16)}`,
    prevRandao: `0x${'00'.repeat(32)}`,
    suggestedFeeRecipient: `0x${'00'.repeat(20)}`,
    withdrawals: [],
    parentBeaconBlockRoot: `0x${'00'.repeat(32)}`,
    transactions: [],
    gasLimit: '0x1c9c380',
  }
  const r = await jsonRpc(
    env.builder.url,
    'builder_startBuilding',
    [{ jobId, parent: env.genesis, attributes, deadline: Date.now() + dueMs, engineVersion: 3 }],
    bearer(env.secret),
  )
  assert.is(r.error, undefined, JSON.stringify(r.error))
  return jobId
}

const metric = async (env: Env, re: RegExp): Promise<number> => {
  const text = await (await fetch(`${env.builder.url}/metrics`)).text()
  const m = re.exec(text)
  return m ? Number(m[1]) : 0
}

test('builder: engine down for 3 s (connections reset): look-ups back off, missed jobs log once per interval, recovery within a slot', async () => {
  const env = await outageEnv()
  try {
    // Healthy first: a job on a known parent is built and submitted.
    const first = await announce(env, 1500)
    await env.builder.waitForSubmission((s) => s.jobId === first, 5000)

    await env.pipe.kill('reset')
    const linesBefore = env.lines.length
    const startedAt = Date.now()
    let jobs = 0
    // No event marks "a slot passed" without a sequencer: the outage is a fixed run of jobs.
    while (Date.now() - startedAt < OUTAGE_MS) {
      await announce(env, JOB_EVERY_MS - 50)
      jobs++
      await sleep(JOB_EVERY_MS)
    }
    const outageMs = Date.now() - startedAt
    const requests = env.pipe.faulted

    // Before: a request every 25 ms for each job's whole run (~7 a job, 80+ here). Backed off
    // (50 ms doubling to 1 s, across jobs): about one a second once the backoff has ramped up.
    const bound = Math.ceil(outageMs / 1000) * 2 + 6
    assert.ok(
      requests >= 2 && requests <= bound,
      `${requests} engine requests during a ${outageMs} ms outage (expected 2..${bound})`,
    )

    const lines = env.lines.slice(linesBefore)
    const missedLines = lines.filter(
      (l) => l.level === 40 && l.msg === 'parent block not available before the deadline',
    )
    const maxLines = Math.ceil(outageMs / LOG_INTERVAL_MS) + 1
    assert.ok(
      missedLines.length >= 1 && missedLines.length <= maxLines,
      `${missedLines.length} warnings for ${jobs} missed jobs (at most ${maxLines}: one per interval)`,
    )
    assert.match(String(missedLines[0]!.err), /^engine: /, 'the warning names the engine failure')
    const counted = missedLines.reduce((n, l) => n + Number(l.failures), 0)
    assert.ok(counted >= 1 && counted <= jobs, `warnings carry counts (${counted} of ${jobs})`)
    assert.is(await metric(env, /superguard_builder_jobs_missed_total (\d+)/), jobs)
    assert.ok((await metric(env, /superguard_builder_failures_total\{upstream="engine"\} (\d+)/)) >= requests - 1)

    // Back: the next job finds its parent within the backoff cap (1 s) and is submitted; one recovery line.
    await env.pipe.restore()
    const mendedAt = Date.now()
    const next = await announce(env, 2500)
    await env.builder.waitForSubmission((s) => s.jobId === next, 5000)
    const resumeMs = Date.now() - mendedAt
    assert.ok(resumeMs <= 1500, `first submission ${resumeMs} ms after the engine came back`)
    const recovered = env.lines
      .slice(linesBefore)
      .filter((l) => l.msg === 'parent block not available before the deadline: recovered')
    assert.is(recovered.length, 1)
    assert.is(recovered[0]!.failures, jobs)
  } finally {
    await env.close()
  }
})

test('builder /healthz: concurrent probes share one engine request (the listener is open: each was an engine call)', async () => {
  const env = await outageEnv()
  try {
    await env.pipe.kill('reset')
    const before = env.pipe.faulted
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${env.builder.url}/healthz`)))
    assert.equal([...new Set(answers.map((a) => a.status))], [503])
    const body = (await answers[0]!.json()) as { ok: boolean; engine?: string }
    assert.is(body.ok, false)
    assert.ok(body.engine, 'names the engine problem')
    const requests = env.pipe.faulted - before
    assert.ok(requests >= 1 && requests <= 2, `${requests} engine requests for 50 concurrent /healthz`)
    await env.pipe.restore()
  } finally {
    await env.close()
  }
})

test('builder interop check: supervisor down: one warning per interval with a count, backed off, recovered', async () => {
  const sup = createRpcServer({
    methods: new Map([['supervisor_checkAccessList', () => null]]),
    logger: createLogger('silent'),
  })
  await sup.listen({ host: '127.0.0.1', port: 0 })
  const pipe = await TcpPipe.start(`127.0.0.1:${(sup.server.address() as AddressInfo).port}`)
  const { logger, lines } = captureLog()
  let failed = 0
  const checker = new InteropChecker(pipe.url, {
    timeoutMs: 500,
    log: logger,
    failureLogIntervalMs: LOG_INTERVAL_MS,
    onFailure: () => failed++,
  })
  const entries = encodeAccess({
    chainId: 902n,
    blockNumber: 7n,
    timestamp: 100n,
    logIndex: 0,
    checksum: `0x03${'11'.repeat(31)}`,
  })
  const tx = {
    hash: `0x${'aa'.repeat(32)}`,
    accessList: [{ address: CROSS_L2_INBOX, storageKeys: entries }],
  } as unknown as PoolEntry
  try {
    await pipe.kill('reset')
    // A rebuild every 20 ms (--resubmit-interval 20ms while the mempool changes) for 1.5 s, each with a fresh job cache.
    const startedAt = Date.now()
    let builds = 0
    while (Date.now() - startedAt < 1500) {
      const kept = await checker.filter([tx], 901n, 200n, new Map())
      assert.is(kept.length, 0, 'fails closed')
      builds++
      await sleep(20)
    }
    const warnings = lines.filter((l) => l.level === 40 && l.msg.startsWith('supervisor unavailable'))
    assert.ok(warnings.length >= 1 && warnings.length <= 3, `${warnings.length} warnings for ${builds} builds`)
    // Before: a request per build (~60). Backed off (100 ms doubling to 2 s): a handful.
    assert.ok(pipe.faulted >= 2 && pipe.faulted <= 8, `${pipe.faulted} supervisor requests in ${builds} builds`)
    assert.is(failed, pipe.faulted)

    await pipe.restore()
    // The backoff (at most 2 s) ends, and the next build is checked again.
    let kept: PoolEntry[] = []
    for (const deadline = Date.now() + 3000; Date.now() < deadline && kept.length === 0; ) {
      kept = await checker.filter([tx], 901n, 200n, new Map())
      if (kept.length === 0) await sleep(20)
    }
    assert.is(kept.length, 1)
    const recovered = lines.filter((l) => l.msg === 'supervisor unavailable: interop transactions excluded: recovered')
    assert.is(recovered.length, 1)
    assert.is(recovered[0]!.failures, failed)
  } finally {
    checker.close()
    await pipe.close()
    await sup.close()
  }
})

test.run()
