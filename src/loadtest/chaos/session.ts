import { setTimeout as pause } from 'node:timers/promises'
import { RpcClient } from '../../rpc/index.js'
import { LoadtestError } from '../errors.js'
import { type ExpectationOutcome, holds, type Op } from '../expect.js'
import { type CanonicalBlock, ChainWatch } from './chainWatch.js'
import {
  CHAOS_METRICS,
  type ChaosFigures,
  chaosMetric,
  computeFigures,
  type FaultRecord,
  type SweepFigures,
} from './figures.js'
import { type ClusterManifest, readManifest } from './manifest.js'
import { Traffic, type TrafficOptions } from './traffic.js'

/**
 * The state one chaos scenario's steps share: the cluster's manifest, a watcher per chain (started by
 * the first chaos step), the traffic, the faults injected and the recovery time. Created per
 * `runScenario`; `finish` stops whatever still runs.
 */
export class ChaosSession {
  readonly manifestPath: string | undefined
  readonly t0 = performance.now()
  readonly wallT0 = Date.now()
  readonly faults: FaultRecord[] = []
  watches: ChainWatch[] = []
  traffic:
    | {
        t: Traffic
        options: TrafficOptions
        startMs: number
        startedAt: string
        sweepBefore: Map<string, SweepCounts> | undefined
      }
    | undefined
  recover: { sinceFirstMs: number; sinceLastMs: number } | null = null
  /** Processes stopped by a fault step and not yet continued: continued by `finish`. */
  readonly stopped = new Set<number>()
  /** Lying-supervisor doubles a fault step switched on and not yet off: made honest by `finish`. */
  readonly lying = new Set<string>()
  #started = false

  constructor(manifestPath: string | undefined) {
    this.manifestPath = manifestPath
  }

  now(): number {
    return Math.round(performance.now() - this.t0)
  }

  manifest(): ClusterManifest {
    if (!this.manifestPath)
      throw new LoadtestError(
        'a chaos step needs the cluster: superguard loadtest run FILE --manifest M.json (superguard devnet --topology 3x3 --manifest M.json --restart)',
      )
    return readManifest(this.manifestPath)
  }

  async start(): Promise<ClusterManifest> {
    const m = this.manifest()
    if (!this.#started) {
      this.#started = true
      this.watches = m.chains.map((c) => new ChainWatch(m, c.name, this.t0))
      await Promise.all(this.watches.map((w) => w.start()))
    }
    return m
  }

  async startTraffic(options: TrafficOptions): Promise<void> {
    const m = await this.start()
    if (this.traffic) throw new LoadtestError('traffic is already running (a "traffic" step with "stop": true ends it)')
    const t = new Traffic(options, this.t0)
    try {
      await t.start(m)
    } catch (err) {
      t.close()
      throw err
    }
    this.traffic = {
      t,
      options,
      startMs: this.now(),
      startedAt: new Date().toISOString(),
      sweepBefore: await sweepCounts(m),
    }
  }

  /** Stops the traffic, waits `drainMs` for the last transactions to land, and measures. */
  async stopTraffic(drainMs: number): Promise<ChaosFigures> {
    const tr = this.traffic
    if (!tr) throw new LoadtestError('no traffic is running (a "traffic" step starts it)')
    this.traffic = undefined
    await tr.t.stop()
    const endMs = this.now()
    await pause(drainMs)
    const chains: { watch: ChainWatch; blocks: CanonicalBlock[] }[] = []
    for (const w of this.watches) chains.push({ watch: w, blocks: await w.canonical() })
    tr.t.close()
    const sweepAfter = await sweepCounts(this.manifest())
    let sweep: SweepFigures | undefined
    if (tr.sweepBefore && sweepAfter) {
      sweep = {}
      for (const [chain, a] of sweepAfter) {
        const b = tr.sweepBefore.get(chain) ?? { evictVerdicts: 0, notified: 0, rounds: 0 }
        sweep[chain] = {
          evictVerdicts: a.evictVerdicts - b.evictVerdicts,
          notified: a.notified - b.notified,
          rounds: a.rounds - b.rounds,
        }
      }
    }
    return computeFigures({
      ...(sweep ? { sweep } : {}),
      startedAt: tr.startedAt,
      wallT0: this.wallT0,
      windowMs: [tr.startMs, endMs],
      slotMs: this.manifest().slotMs,
      rates: { plain: tr.options.plain, valid: tr.options.valid, forged: tr.options.forged },
      sent: tr.t.sent,
      skipped: tr.t.skipped,
      chains,
      faults: this.faults,
      recover: this.recover,
    })
  }

  async finish(): Promise<void> {
    for (const pid of this.stopped) {
      try {
        process.kill(pid, 'SIGCONT')
      } catch {}
    }
    this.stopped.clear()
    for (const url of this.lying) {
      const c = new RpcClient(url, { timeoutMs: 30_000 })
      await c.call('liar_setMode', [{ lie: false }]).catch(() => undefined)
      c.close()
    }
    this.lying.clear()
    this.traffic?.t.close()
    for (const w of this.watches) w.close()
  }
}

export type ChaosExpectation = { text: string; metric: string; op: Op; value: number }

/** `validRefused=0`, `slotsMissed<=1`, `recoverS<30`. Throws an Error naming the bad one. */
export function parseChaosExpectations(texts: readonly string[]): ChaosExpectation[] {
  return texts.map((text) => {
    const m = /^\s*([A-Za-z]+)\s*(<=|>=|=|<|>)\s*(\d+(?:\.\d+)?)\s*$/.exec(text)
    if (!m)
      throw new Error(`expected FIGURE OP VALUE (e.g. validRefused=0, slotsMissed<=1), got ${JSON.stringify(text)}`)
    if (!(CHAOS_METRICS as readonly string[]).includes(m[1]!))
      throw new Error(`unknown figure "${m[1]}" in ${JSON.stringify(text)} (known: ${CHAOS_METRICS.join(', ')})`)
    return { text: text.trim(), metric: m[1]!, op: m[2] as ChaosExpectation['op'], value: Number(m[3]) }
  })
}

export function evaluateChaos(f: ChaosFigures, es: readonly ChaosExpectation[]): ExpectationOutcome[] {
  return es.map((e) => {
    const actual = chaosMetric(f, e.metric)
    return { expect: e.text, ok: holds(actual, e.op, e.value), actual }
  })
}

type SweepCounts = { evictVerdicts: number; notified: number; rounds: number }

/** One counter of a Prometheus text page, summed over the series whose labels include `labels`. */
function counter(text: string, name: string, labels: string[]): number {
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    if (!labels.every((l) => line.includes(l))) continue
    const v = Number(line.slice(line.lastIndexOf(' ') + 1))
    if (Number.isFinite(v)) sum += v
  }
  return sum
}

/** Every chain's sweep counters (its /metrics): undefined when one does not answer (the figures then leave `sweep` out). */
async function sweepCounts(m: ClusterManifest): Promise<Map<string, SweepCounts> | undefined> {
  const out = new Map<string, SweepCounts>()
  for (const c of m.chains) {
    const p = m.processes.find((x) => x.role === 'sweep' && x.chain === c.chainId)
    if (!p?.metrics) return undefined
    try {
      const r = await fetch(p.metrics, { signal: AbortSignal.timeout(2_000) })
      const text = await r.text()
      out.set(c.name, {
        evictVerdicts: counter(text, 'superguard_sweep_transactions_total', ['verdict="evict"']),
        notified: counter(text, 'superguard_sweep_actions_total', ['action="notify"', 'result="ok"']),
        rounds: counter(text, 'superguard_sweep_rounds_total', ['result="ok"']),
      })
    } catch {
      return undefined
    }
  }
  return out
}
