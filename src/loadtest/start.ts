import { writeFileSync } from 'node:fs'
import { initKeccak } from '../util/keccak.js'
import { builderWorkload } from './builder.js'
import { checkerWorkload } from './checker.js'
import { LoadtestError } from './errors.js'
import { evaluate, parseExpectations } from './expect.js'
import { formatSummary, progressLine } from './format.js'
import { harvestChain } from './harvest.js'
import { round3 } from './histogram.js'
import { ingressWorkload } from './ingress.js'
import { machine } from './machine.js'
import { parseMix } from './mix.js'
import { type LoadtestConfig, type LoadtestInput, loadtestConfig } from './options.js'
import { preflight } from './preflight.js'
import { renderReport } from './report.js'
import type { LoadtestResult } from './result.js'
import { type Progress, runLoad } from './runner.js'
import type { Tally } from './tally.js'
import type { Workload } from './workload.js'

export type LoadtestDeps = {
  /** Where the live line / log lines go (default process.stderr). */
  out?: NodeJS.WritableStream & { isTTY?: boolean }
  /** Recorded in the result and the report (the CLI passes its argv). */
  commandLine?: string
}

/**
 * Runs one load test: builds the kind's workload (harvesting real logs, funding senders, reading the
 * job), checks the target answers, loads it with autocannon on a worker thread, judges every answer,
 * and resolves the result (also written to --json / --report). Throws LoadtestError (exit 2) when it
 * cannot start; a run whose --expect fails resolves normally with `expectations[].ok` false.
 */
export async function runLoadtest(
  values: LoadtestInput | LoadtestConfig,
  deps: LoadtestDeps = {},
): Promise<LoadtestResult> {
  const config = loadtestConfig(values)
  const out = deps.out ?? process.stderr
  await initKeccak()
  const startedAt = new Date().toISOString()
  const workload = await buildWorkload(config)
  await preflight(config.target, probeRequests(workload), workload.method, config.timeout)
  const tty = config.progress === 'tty' || (config.progress === 'auto' && out.isTTY === true)
  const progress: Progress | undefined =
    config.progress === 'off'
      ? undefined
      : (t, s) => out.write(tty ? `\r\x1b[2K${progressLine(t, s)}` : `${progressLine(t, s)}\n`)
  const { tally, measuredS } = await runLoad(
    workload,
    {
      url: config.target,
      connections: config.connections,
      pipelining: config.pipelining,
      durationMs: config.duration,
      warmupMs: config.warmup,
      rate: config.rate,
      timeoutMs: config.timeout,
    },
    { ...(progress ? { progress } : {}), progressEveryMs: tty ? 1000 : 5000 },
  )
  if (tty) out.write('\r\x1b[2K')
  if (tally.answered === 0)
    throw new LoadtestError(
      `target ${config.target} answered nothing in ${round3(measuredS)}s${tally.lastError ? ` (${tally.lastError})` : ''}`,
    )
  const result = buildResult(config, workload, tally, measuredS, startedAt, deps.commandLine)
  result.extra = (await workload.extra?.()) ?? {}
  result.expectations = evaluate(result, parseExpectations(config.expect))
  if (config.json) writeFileSync(config.json, `${JSON.stringify(result, null, 2)}\n`)
  if (config.report) writeFileSync(config.report, renderReport(result))
  return result
}

export { formatSummary }

async function buildWorkload(config: LoadtestConfig): Promise<Workload> {
  const mix = parseMix(config.kind, config.mix)
  switch (config.kind) {
    case 'checker': {
      const chains = []
      for (const rpc of config.rpc)
        chains.push(
          await harvestChain(rpc, {
            blocks: config.blocks,
            maxLogs: config.messages,
            timeoutMs: config.timeout,
            minSafety: config.minSafety,
          }),
        )
      return checkerWorkload({
        chains,
        chainId: config.chainId ?? chains[0]!.chainId,
        method: config.method,
        minSafety: config.minSafety,
        mix,
        batch: config.batch,
        bodies: config.bodies,
      })
    }
    case 'ingress': {
      const interop = [...mix.keys()].some((c) => c !== 'plain')
      const chains = []
      if (interop)
        for (const rpc of config.rpc)
          chains.push(
            await harvestChain(rpc, {
              blocks: config.blocks,
              maxLogs: config.messages,
              timeoutMs: config.timeout,
              minSafety: 'unsafe',
              allowEmpty: true,
            }),
          )
      const seconds = (config.duration + config.warmup) / 1000
      return ingressWorkload({
        rpc: config.rpc[0]!.replace(/^\d+=/, ''),
        chains,
        keyFile: config.keyFile!,
        senders: config.senders,
        connections: config.connections,
        count: config.rate === undefined ? config.bodies : Math.ceil(config.rate * seconds * 1.05),
        mix,
        timeoutMs: config.timeout,
      })
    }
    case 'builder':
      return builderWorkload({
        target: config.target,
        jwtSecret: config.jwtSecret!,
        rpc: config.rpc[0]!.replace(/^\d+=/, ''),
        debug: config.debug,
        mix,
        timeoutMs: config.timeout,
      })
  }
}

/** The first request carrying each case (one per case at most): enough to see the target answers every kind of call. */
function probeRequests(w: Workload): Workload['first']['requests'] {
  if (w.probe) return w.probe
  const seen = new Set<string>()
  return w.first.requests.filter((_, i) => {
    const fresh = w.first.expected[i]!.cases.filter((c) => !seen.has(c))
    for (const c of fresh) seen.add(c)
    return fresh.length > 0
  })
}

function buildResult(
  config: LoadtestConfig,
  w: Workload,
  t: Tally,
  measuredS: number,
  startedAt: string,
  commandLine: string | undefined,
): LoadtestResult {
  const { machine: box, versions } = machine()
  const durationS = round3(measuredS)
  return {
    schema: 1,
    target: config.target,
    kind: config.kind,
    method: w.method,
    startedAt,
    durationS,
    connections: config.connections,
    pipelining: config.pipelining,
    rate: config.rate ?? null,
    batch: w.batch,
    mix: w.mix,
    requests: { sent: t.sent, answered: t.answered, checks: t.checks },
    throughputPerS: round3(t.answered / measuredS),
    checksPerS: round3(t.checks / measuredS),
    latencyMs: {
      p50: round3(t.hist.quantile(0.5)),
      p90: round3(t.hist.quantile(0.9)),
      p99: round3(t.hist.quantile(0.99)),
      max: round3(t.hist.max),
      mean: round3(t.hist.mean),
    },
    histogram: t.hist.buckets(),
    codes: t.codes,
    http: t.http,
    cases: t.cases,
    wrongVerdicts: t.wrongVerdicts,
    wrongByCode: t.wrongByCode,
    wrongExamples: t.wrongExamples,
    transportErrors: t.transportErrors,
    timeouts: t.timeouts,
    garbage: t.garbage,
    perSecond: t.perSecond(measuredS),
    expectations: [],
    extra: {},
    commandLine: commandLine ?? `runLoadtest(${JSON.stringify({ ...config, chainId: config.chainId?.toString() })})`,
    machine: box,
    versions,
  }
}
