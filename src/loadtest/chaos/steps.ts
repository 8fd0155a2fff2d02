import { readFileSync } from 'node:fs'
import { setTimeout as pause } from 'node:timers/promises'
import type { Hex } from '../../interop/index.js'
import { RemoteRpcError, RpcClient } from '../../rpc/index.js'
import { LoadtestError } from '../errors.js'
import { readKey } from '../ingress.js'
import type { StepKind } from '../scenario.js'
import { flood } from './floodStep.js'
import {
  type ClusterManifest,
  type ClusterProcess,
  checkTarget,
  leaderOf,
  readManifest,
  resolveTarget,
} from './manifest.js'
import { reorg } from './reorgStep.js'
import { evaluateChaos, parseChaosExpectations } from './session.js'
import { type Body, duration, keys, noExpect, object, rate } from './stepBody.js'

/** The dev chains' first account (public test mnemonic), funded in engine-sim's default genesis. */
export const DEV_FUNDING_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'

/**
 * `{"traffic": {"interop": 20, "plain": 50, "forged": 2}}` starts steady traffic through every chain's
 * ingress (rates in tx/s across the chains; it runs while the next steps run); `{"traffic": {"stop":
 * true, "drain": "4s"}}` stops it, waits for the last transactions to land and measures the figures,
 * which its `expect` reads (validRefused=0, forgedAccepted=0, lost=0, slotsMissed<=1, recoverS<30…).
 */
const traffic: StepKind = {
  checkExpect: parseChaosExpectations,
  validate(body, ctx) {
    const b = object(body, 'traffic', ctx)
    const what = `step ${ctx.index + 1}: traffic`
    if (b.stop !== undefined) {
      keys(b, ['stop', 'drain'], 'traffic', ctx)
      if (b.stop !== true) throw new LoadtestError(`${what}: "stop" must be true`)
      if (b.drain !== undefined) duration(b.drain, `${what}.drain`)
      return
    }
    keys(b, ['interop', 'plain', 'forged', 'senders', 'timeout', 'keyFile'], 'traffic', ctx)
    for (const k of ['interop', 'plain', 'forged']) rate(b[k], `${what}.${k}`)
    if (rate(b.interop, '') + rate(b.plain, '') + rate(b.forged, '') === 0)
      throw new LoadtestError(`${what}: give a rate (interop, plain, forged tx/s)`)
    if (b.senders !== undefined && !(Number.isInteger(b.senders) && (b.senders as number) >= 1))
      throw new LoadtestError(`${what}.senders: expected a positive integer`)
    if (b.timeout !== undefined) duration(b.timeout, `${what}.timeout`)
  },
  async run(body, expect, ctx) {
    const b = body as Body
    if (b.stop === true) {
      const es = parseChaosExpectations(expect)
      const figures = await ctx.chaos.stopTraffic(
        b.drain !== undefined ? duration(b.drain, 'drain') : Math.max(3_000, 3 * ctx.chaos.manifest().slotMs),
      )
      return { chaos: figures, expectations: evaluateChaos(figures, es) }
    }
    noExpect(expect, 'traffic', ctx)
    const keyFile = b.keyFile as string | undefined
    await ctx.chaos.startTraffic({
      valid: rate(b.interop, ''),
      plain: rate(b.plain, ''),
      forged: rate(b.forged, ''),
      senders: (b.senders as number | undefined) ?? 24,
      fundingKey: keyFile ? readKey(keyFile) : DEV_FUNDING_KEY,
      timeoutMs: b.timeout !== undefined ? duration(b.timeout, 'timeout') : 10_000,
    })
    return { expectations: [] }
  },
}

const ACTIONS = ['kill', 'stop', 'cont', 'slow', 'lie'] as const

function targets(v: unknown, what: string): string[] {
  const list = Array.isArray(v) ? v : [v]
  if (list.length === 0) throw new LoadtestError(`${what}: name at least one process`)
  return list.map((t) => checkTarget(t, what))
}

/**
 * `{"fault": {"kill": "supervisor-2"}}` (SIGKILL), `{"fault": {"stop": "supervisor-2", "for": "30s"}}`
 * (SIGSTOP, and SIGCONT after `for`; without it, until `{"fault": {"cont": …}}`), `{"fault": {"slow":
 * "engine-sim-A1", "latency": "300ms", "for": "20s"}}` (engine-sim's sim_setFaults). A target is a
 * manifest process name or a list of them; `{leader:A}` / `{follower:A}` stand for the row of chain
 * A's leader at that moment (`supervisor-{leader:A}`). Pids are read from the manifest when the step runs.
 */
const fault: StepKind = {
  validate(body, ctx) {
    const b = object(body, 'fault', ctx)
    const what = `step ${ctx.index + 1}: fault`
    const acts = ACTIONS.filter((a) => b[a] !== undefined)
    if (acts.length !== 1) throw new LoadtestError(`${what}: exactly one of ${ACTIONS.join(', ')}`)
    const act = acts[0]!
    keys(
      b,
      [
        act,
        ...(act === 'stop' || act === 'slow' || act === 'lie' ? ['for'] : []),
        ...(act === 'slow' ? ['latency'] : []),
      ],
      'fault',
      ctx,
    )
    targets(b[act], `${what}.${act}`)
    if (b.for !== undefined) duration(b.for, `${what}.for`)
    if (act === 'slow' && b.latency === undefined) throw new LoadtestError(`${what}: "slow" needs "latency"`)
    if (b.latency !== undefined) duration(b.latency, `${what}.latency`)
  },
  async run(body, expect, ctx) {
    noExpect(expect, 'fault', ctx)
    const b = body as Body
    const s = ctx.chaos
    const m = await s.start()
    const act = ACTIONS.find((a) => b[a] !== undefined)!
    const procs: ClusterProcess[] = []
    for (const t of targets(b[act], 'fault')) procs.push(await resolveTarget(m, t))
    const record = (action: string, p: ClusterProcess, detail?: string) =>
      s.faults.push({ atMs: s.now(), action, target: p.name, pid: p.pid, ...(detail ? { detail } : {}) })
    const signal = (p: ClusterProcess, sig: NodeJS.Signals) => {
      if (p.pid === null) throw new LoadtestError(`${p.name} is not running (state ${p.state}): nothing to ${act}`)
      process.kill(p.pid, sig)
    }
    if (act === 'slow') {
      const latency = duration(b.latency, 'latency')
      const set = async (p: ClusterProcess, ms: number) => {
        if (!p.engine) throw new LoadtestError(`${p.name} is no engine-sim: "slow" sets an engine-sim's latency`)
        if (!m.engineJwt)
          throw new LoadtestError('the manifest names no engineJwt: "slow" needs the engines\' JWT secret')
        const jwtSecret = Buffer.from(readFileSync(m.engineJwt, 'utf8').trim().replace(/^0x/, ''), 'hex')
        const c = new RpcClient(p.engine, { timeoutMs: 3_000, jwtSecret })
        try {
          await c.call('sim_setFaults', [{ latencyMs: ms }])
        } finally {
          c.close()
        }
      }
      for (const p of procs) {
        await set(p, latency)
        record('slow', p, `${latency}ms`)
      }
      if (b.for !== undefined) {
        await pause(duration(b.for, 'for'))
        for (const p of procs) {
          await set(p, 0)
          record('fast', p)
        }
      }
      return { expectations: [] }
    }
    if (act === 'lie') {
      // Noted before the call: whatever happens to the answer, the scenario's end makes it honest again.
      for (const p of procs) s.lying.add(lyingUrl(m, p))
      for (const p of procs) await setLying(m, p, true)
      for (const p of procs) record('lie', p, 'lying-supervisor double: valid ↔ invalid')
      if (b.for !== undefined) {
        await pause(duration(b.for, 'for'))
        for (const p of procs) {
          s.lying.delete(await setLying(m, p, false))
          record('honest', p)
        }
      }
      return { expectations: [] }
    }
    if (act === 'kill') {
      for (const p of procs) {
        signal(p, 'SIGKILL')
        record('kill', p)
      }
      return { expectations: [] }
    }
    if (act === 'cont') {
      for (const p of procs) {
        signal(p, 'SIGCONT')
        if (p.pid !== null) s.stopped.delete(p.pid)
        record('cont', p)
      }
      return { expectations: [] }
    }
    for (const p of procs) {
      signal(p, 'SIGSTOP')
      s.stopped.add(p.pid!)
      record('stop', p)
    }
    if (b.for !== undefined) {
      await pause(duration(b.for, 'for'))
      for (const p of procs) {
        signal(p, 'SIGCONT')
        s.stopped.delete(p.pid!)
        record('cont', p)
      }
    }
    return { expectations: [] }
  },
}

/**
 * `{"fault": {"lie": "supervisor-1", "for": "20s"}}`: the devnet's lying-supervisor double in front
 * of that supervisor (the manifest's `doubles.lyingSupervisor`) turns its check answers around
 * (`liar_setMode`); honest again after `for`, or at the scenario's end (ChaosSession.finish).
 */
function lyingUrl(m: ClusterManifest, p: ClusterProcess): string {
  const d = m.doubles?.lyingSupervisor
  if (!d || p.role !== 'supervisor' || p.index !== d.index)
    throw new LoadtestError(
      `${p.name}: no lying-supervisor double in front of it (the manifest's doubles: ${d ? `supervisor-${d.index}` : 'none'})`,
    )
  return d.rpc
}

export async function setLying(m: ClusterManifest, p: ClusterProcess, on: boolean): Promise<string> {
  const url = lyingUrl(m, p)
  // 30 s, asked twice: the double is served by the devnet process, which answered 40 s late once on
  // this box at load 45 (2026-12-06). liar_setMode is idempotent.
  for (let attempt = 1; ; attempt++) {
    const c = new RpcClient(url, { timeoutMs: 30_000 })
    try {
      await c.call('liar_setMode', [{ lie: on }])
      return url
    } catch (err) {
      if (attempt >= 2 || err instanceof RemoteRpcError) throw err
    } finally {
      c.close()
    }
  }
}

/** `{"wait": "10s"}`: lets the traffic and the cluster run. */
const wait: StepKind = {
  validate(body, ctx) {
    duration(body, `step ${ctx.index + 1}: wait`)
  },
  async run(body, expect, ctx) {
    noExpect(expect, 'wait', ctx)
    await pause(duration(body, 'wait'))
    return { expectations: [] }
  },
}

async function healthy(url: string | undefined): Promise<boolean> {
  if (!url) return false
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(1_000) })
    await r.arrayBuffer()
    return r.status === 200 || r.status === 206
  } catch {
    return false
  }
}

/**
 * `{"recover": {"within": "60s"}}`: waits until the cluster has recovered — every process in the
 * manifest running (a killed one restarted by the devnet's --restart, a stopped one answering), each
 * chain's leader's sequencer healthy and each chain two blocks further than when the step began —
 * and records the time to recover from the first fault (and from the last fault action). Its
 * expectation "recovered within …" fails when the deadline passes first.
 */
const recover: StepKind = {
  validate(body, ctx) {
    const b = typeof body === 'string' ? { within: body } : object(body, 'recover', ctx)
    keys(b, ['within'], 'recover', ctx)
    duration(b.within ?? '60s', `step ${ctx.index + 1}: recover.within`)
  },
  async run(body, expect, ctx) {
    noExpect(expect, 'recover', ctx)
    const b = typeof body === 'string' ? { within: body } : (body as Body)
    const within = duration(b.within ?? '60s', 'within')
    const s = ctx.chaos
    await s.start()
    const base = new Map<string, number>()
    for (const w of s.watches) base.set(w.name, (await w.head()) ?? 0)
    const deadline = performance.now() + within
    let ok = false
    while (performance.now() < deadline) {
      const m = readManifest(s.manifestPath!)
      let good = m.processes.every((p) => p.state === 'running' && p.pid !== null)
      for (const w of good ? s.watches : []) {
        const leader = await leaderOf(m, w.name).catch(() => undefined)
        const seq = m.processes.find(
          (p) => p.role === 'sequencer' && p.chain === w.chainId && `${w.name}${p.index}` === leader,
        )
        const head = (await w.head()) ?? 0
        if (!(await healthy(seq?.healthz)) || head < base.get(w.name)! + 2) {
          good = false
          break
        }
      }
      if (good) {
        ok = true
        break
      }
      await pause(200)
    }
    const now = s.now()
    const faults = s.faults.filter((f) => !MARKERS.has(f.action))
    const first = faults[0]?.atMs
    const last = faults[faults.length - 1]?.atMs
    if (ok && first !== undefined) s.recover = { sinceFirstMs: now - first, sinceLastMs: now - last! }
    return {
      expectations: [
        { expect: `recovered within ${within / 1000}s`, ok, actual: first !== undefined ? (now - first) / 1000 : 0 },
      ],
    }
  },
}

/** Entries of the faults list that are no fault (the reorg step's pin, a flood's end): recovery is timed from the others. */
const MARKERS = new Set(['pin', 'unpin', 'honest', 'fast', 'flood end'])

/** The chaos step kinds, added to the scenario format's STEP_KINDS. */
export const CHAOS_STEP_KINDS: [string, StepKind][] = [
  ['traffic', traffic],
  ['fault', fault],
  ['wait', wait],
  ['recover', recover],
  ['reorg', reorg],
  ['flood', flood],
]
