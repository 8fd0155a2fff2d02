import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { Counter, Gauge } from 'prom-client'
import { createRegistry, createRpcServer } from '../../rpc/index.js'
import { freePort } from '../../util/freePort.js'
import { Closers } from '../closers.js'
import { spawnLyingSupervisor } from '../liar/spawn.js'
import type { DevnetConfig } from '../options.js'
import { type ExitInfo, ManagedProcess } from './managedProcess.js'
import { type Manifest, manifestProcess, writeManifest } from './manifest.js'
import { type ProcessSpec, planTopology, TOPOLOGY_CHAINS } from './plan.js'
import { Watcher } from './watcher.js'

export type Topology = {
  processes: ManagedProcess[]
  /** The manifest as last written (also to --manifest when given). */
  manifest(): Manifest
  /** Milliseconds from the first spawn until every process answered healthy. */
  startMs: number
  /** Resolves at --duration (never without it). */
  done: Promise<void>
  /** Stops every process (ingress and sweep first, engines last), each group SIGTERM then SIGKILL. Idempotent. */
  close(): Promise<void>
}

/** How long start-up may take before it is given up (the goal is ≤ 30 s on 2 cores). */
const START_DEADLINE_MS = 90_000

/**
 * `superguard devnet --topology 3x3`: the topology document's cluster as separate OS processes
 * (plan.ts), a manifest of them, a watcher that notices a process that died (exit event) or stopped
 * answering (SIGSTOP: its /healthz times out), and with --restart respawns a dead one with the same
 * arguments. Ctrl-C / SIGTERM close() every process group.
 */
export async function startTopology(
  config: DevnetConfig,
  logger: Logger,
  print: (line: string) => void,
): Promise<Topology> {
  const log = logger.child({ role: 'devnet', topology: '3x3' })
  const closers = new Closers(log)
  try {
    const dataDir = config.dataDir ?? mkdtempSync(join(tmpdir(), 'superguard-topology-'))
    if (!config.dataDir) closers.add('data directory', () => rmSync(dataDir, { recursive: true, force: true }))
    const logDir = join(dataDir, 'logs')
    mkdirSync(logDir, { recursive: true })
    const secret = (name: string) => {
      const path = join(dataDir, `${name}.jwt.hex`)
      writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o600 })
      return path
    }
    const engineJwt = secret('engine')
    const builderJwt = secret('builder')
    // The lying-supervisor double (devnet only, honest until a chaos step switches it) in front of
    // supervisor 1, which the ingresses ask (one vote of three) and the sweeps ask alone.
    const liarPort = await freePort()
    const specs = await planTopology({
      port: freePort,
      dataDir,
      engineJwt,
      builderJwt,
      liar: { index: 1, port: liarPort },
      slotMs: config.slot,
      sweepIntervalMs: config.sweepInterval,
      genesisTime: Math.floor(Date.now() / 1000),
      logLevel: config.logLevel,
      rpcSupervisors: [3],
    })

    // This process too samples its event loop every 100 ms, not 10 (see managedProcess.ts).
    process.env.SUPERGUARD_EVENT_LOOP_RESOLUTION_MS ??= '100'
    const registry = createRegistry()
    const labels = ['name', 'role'] as const
    const m = {
      up: new Gauge({
        name: 'superguard_devnet_process_up',
        help: '1 while a cluster process runs and answers, 0 when it exited or stopped answering',
        labelNames: labels,
        registers: [registry],
      }),
      exits: new Counter({
        name: 'superguard_devnet_process_exits_total',
        help: 'Cluster processes that exited while the devnet ran',
        labelNames: labels,
        registers: [registry],
      }),
      restarts: new Counter({
        name: 'superguard_devnet_process_restarts_total',
        help: 'Cluster processes respawned (--restart)',
        labelNames: labels,
        registers: [registry],
      }),
      unresponsive: new Counter({
        name: 'superguard_devnet_process_unresponsive_total',
        help: 'Times a running cluster process stopped answering /healthz (SIGSTOP, hung)',
        labelNames: labels,
        registers: [registry],
      }),
      leader: new Gauge({
        name: 'superguard_devnet_leader',
        help: "1 for the node its chain's conductor stand-in names leader",
        labelNames: ['chain', 'node'] as const,
        registers: [registry],
      }),
    }
    const lbl = (s: ProcessSpec) => ({ name: s.name, role: s.role })

    let closing = false
    const procs: ManagedProcess[] = []
    const app = createRpcServer({
      methods: new Map(),
      logger: log,
      name: 'devnet',
      registry,
      health: () => {
        const bad = procs.filter((p) => p.state !== 'running').map((p) => `${p.spec.name}: ${p.state}`)
        return { status: bad.length === 0 ? 200 : 503, body: { ok: bad.length === 0, problems: bad } }
      },
    })
    await app.listen({ host: '127.0.0.1', port: 0 })
    closers.add('devnet listener', () => app.close())
    const self = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    const liar = await spawnLyingSupervisor(
      specs.find((s) => s.role === 'supervisor' && s.index === 1)!.rpc!,
      liarPort,
      join(logDir, 'lying-supervisor.log'),
      config.logLevel,
    )
    closers.add('lying supervisor double', () => liar.close())

    const manifest = (): Manifest => ({
      topology: '3x3',
      devnet: { pid: process.pid, metrics: `${self}/metrics`, healthz: `${self}/healthz` },
      chains: TOPOLOGY_CHAINS.map((c) => ({
        name: c.name,
        chainId: c.chainId,
        conductor: specs.find((s) => s.role === 'conductor-standin' && s.chain === c.chainId)!.rpc!,
      })),
      slotMs: config.slot,
      engineJwt,
      builderJwt,
      doubles: { lyingSupervisor: { index: 1, rpc: liar.url } },
      updatedAt: new Date().toISOString(),
      processes: procs.map(manifestProcess),
    })
    const saveManifest = () => {
      if (!config.manifest) return
      try {
        writeManifest(config.manifest, manifest())
      } catch (err) {
        log.error({ err, path: config.manifest }, 'devnet: writing the manifest failed')
      }
    }

    const backoff = new Map<string, number>()
    const onExit = (p: ManagedProcess, e: ExitInfo) => {
      if (closing || p.state === 'stopped') return
      p.state = 'exited'
      m.exits.inc(lbl(p.spec))
      m.up.set(lbl(p.spec), 0)
      const how = e.signal ? `signal ${e.signal}` : `code ${e.code}`
      log.warn({ process: p.spec.name, pid: e.pid, code: e.code, signal: e.signal }, 'devnet: process exited')
      print(`${p.spec.name} (pid ${e.pid}) exited (${how})${config.restart ? '; restarting' : ''}; log ${p.logFile}`)
      saveManifest()
      if (!config.restart) return
      // --restart-delay (250 ms), doubling per exit within a minute of the last, up to 8 s: a process that
      // cannot start does not spin.
      const last = backoff.get(p.spec.name)
      const wait =
        last === undefined
          ? config.restartDelay
          : Math.min(Math.max(8_000, config.restartDelay), Math.max(250, last * 2))
      backoff.set(p.spec.name, wait)
      setTimeout(() => backoff.delete(p.spec.name), 60_000).unref()
      setTimeout(() => {
        if (closing) return
        p.restarts++
        m.restarts.inc(lbl(p.spec))
        p.spawn()
        log.warn({ process: p.spec.name, pid: p.pid, restarts: p.restarts }, 'devnet: process restarted')
        print(`${p.spec.name} restarted (pid ${p.pid}, same arguments and ports)`)
        saveManifest()
      }, wait).unref()
    }
    for (const s of specs) procs.push(new ManagedProcess(s, join(logDir, `${s.name}.log`), onExit))
    closers.add('cluster processes', async () => {
      closing = true
      for (const stage of [1, 0]) await Promise.all(procs.filter((p) => p.spec.stage === stage).map((p) => p.stop()))
      saveManifest()
    })

    const watcher = new Watcher({
      procs,
      log,
      intervalMs: config.watchInterval,
      timeoutMs: Math.min(1_500, config.watchInterval),
      onState: (p, state) => {
        if (closing) return
        const was = p.state
        p.state = state
        m.up.set(lbl(p.spec), state === 'running' ? 1 : 0)
        if (state === 'unresponsive') {
          m.unresponsive.inc(lbl(p.spec))
          log.warn({ process: p.spec.name, pid: p.pid }, 'devnet: process stopped answering')
          print(`${p.spec.name} (pid ${p.pid}) stopped answering /healthz (stopped or hung)`)
        } else if (was === 'unresponsive') {
          log.info({ process: p.spec.name, pid: p.pid }, 'devnet: process answers again')
          print(`${p.spec.name} (pid ${p.pid}) answers again`)
        }
        saveManifest()
      },
      onLeader: (chain, from, to) => {
        const name = TOPOLOGY_CHAINS.find((c) => c.chainId === chain)?.name ?? String(chain)
        for (const s of specs.filter((x) => x.role === 'sequencer' && x.chain === chain))
          m.leader.set({ chain: name, node: `${name}${s.index}` }, `${name}${s.index}` === to ? 1 : 0)
        print(
          from === undefined
            ? `chain ${name} (${chain}): leader ${to}`
            : `chain ${name} (${chain}): leader ${from} → ${to}`,
        )
      },
    })
    closers.add('watcher', () => watcher.close())

    const t0 = performance.now()
    const stages: string[] = []
    const lap = (what: string) => stages.push(`${what} ${((performance.now() - t0) / 1000).toFixed(1)}s`)
    for (const [stage, what] of ['engines', 'the rest'].entries()) {
      for (const p of procs.filter((x) => x.spec.stage === stage)) p.spawn()
      saveManifest()
      await watcher.untilAnswering(
        procs.filter((x) => x.spec.stage === stage),
        t0 + START_DEADLINE_MS,
      )
      lap(what)
    }
    await watcher.untilHealthy(procs, t0 + START_DEADLINE_MS)
    lap('all healthy')
    const startMs = Math.round(performance.now() - t0)
    for (const p of procs) {
      p.state = 'running'
      m.up.set(lbl(p.spec), 1)
    }
    saveManifest()
    watcher.start()
    print(
      `3x3 topology healthy in ${(startMs / 1000).toFixed(1)}s (${stages.join(', ')}): ${procs.length} processes (chains ${TOPOLOGY_CHAINS.map((c) => `${c.name}=${c.chainId}`).join(', ')}; ${config.slot / 1000}s slots); data ${dataDir}${config.manifest ? `; manifest ${config.manifest}` : ''}; metrics ${self}/metrics`,
    )

    let stopAt: NodeJS.Timeout | undefined
    const done = new Promise<void>((resolve) => {
      if (config.duration !== undefined) stopAt = setTimeout(resolve, config.duration)
    })
    closers.add('duration', () => clearTimeout(stopAt))
    return { processes: procs, manifest, startMs, done, close: () => closers.close() }
  } catch (err) {
    await closers.close()
    throw err
  }
}
