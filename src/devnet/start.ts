import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as pause } from 'node:timers/promises'
import type { Logger } from 'pino'
import { generatePrivateKey } from 'viem/accounts'
import { RpcClient } from '../rpc/index.js'
import type { Supervisor } from '../supervisor/index.js'
import type { Anvil } from './anvil.js'
import { Closers } from './closers.js'
import { type InteropStack, startInteropStack } from './interopStack.js'
import { DEV_KEYS, DevSigner } from './messages.js'
import type { DevnetConfig } from './options.js'
import { type PbsStack, startPbsStack } from './pbsStack.js'
import { TransferGenerator } from './pbsTraffic.js'
import { type DevnetStats, newStats, summaryLines, type TrafficCounts } from './stats.js'
import { type TrafficDeps, trafficRound } from './traffic.js'

export { DEVNET_CHAIN_IDS } from './interopStack.js'

export type Devnet = {
  anvils: Anvil[]
  /** The index-backend supervisor (the first of three). */
  supervisor: Supervisor
  interop: InteropStack
  pbs: PbsStack
  stats: DevnetStats
  /** The interop messages checked directly against the supervisor (stats.traffic). */
  counts: TrafficCounts
  /** Resolves when the generated traffic ends (--duration reached, or close()). */
  done: Promise<void>
  /** Stops everything in reverse order of start. Idempotent. */
  close(): Promise<void>
}

/**
 * Everything on an embedded default, in one process: two anvil chains with three supervisors,
 * an ingress and a sweep (interop), and a standalone sequencer with two reference builders on an
 * engine-sim chain (PBS), with generated traffic through both ingresses. Every process and
 * listener it starts is stopped by close(); a failure during start-up stops what had started.
 */
export async function startDevnet(
  config: DevnetConfig,
  logger: Logger,
  print: (line: string) => void,
): Promise<Devnet> {
  const closers = new Closers(logger)
  const stats = newStats()
  try {
    const dataDir = config.dataDir ?? mkdtempSync(join(tmpdir(), 'superguard-devnet-'))
    if (!config.dataDir) closers.add('data directory', () => rmSync(dataDir, { recursive: true, force: true }))
    const ctx = { config, logger, print, closers, stats, dataDir }
    const interop = await startInteropStack(ctx)
    const pbs = await startPbsStack(ctx, interop.supervisors[0].url)
    print(
      `topology: interop txs → ingress (3 supervisors, 2 must agree) → anvil 902, what it accepted re-checked by the sweep every ${config.sweepInterval / 1000}s | ` +
        `transfers → ingress → engine-sim 903 + builder-a + builder-b; the sequencer (own ${config.slot / 1000}s clock) seals the best block and publishes it to the replica and the builders' engines`,
    )

    const clients = {
      supervisor: new RpcClient(interop.supervisors[0].url, { timeoutMs: 5000 }),
      ingress: new RpcClient(interop.ingress.url, { timeoutMs: 5000 }),
      pbsIngress: new RpcClient(pbs.ingress.url, { timeoutMs: 5000 }),
      engine: new RpcClient(pbs.engine.url, { timeoutMs: 5000 }),
      builderB: new RpcClient(pbs.builders[1]!.handle.url, { timeoutMs: 5000 }),
    }
    closers.add('clients', () => {
      for (const c of Object.values(clients)) c.close()
    })

    const signer = new DevSigner()
    const deps: TrafficDeps = {
      chains: interop.chains,
      signer,
      supervisor: clients.supervisor,
      indexers: interop.supervisors.slice(0, 2).map((s) => s.indexer!),
      ingress: clients.ingress,
      forger: new DevSigner(generatePrivateKey()),
      // Nonce 0 of this sender on 902 is never used, so its executing transactions there stay queued.
      stranded: { signer: new DevSigner(DEV_KEYS[1]), nonce: 1 },
      reorgEvery: config.reorgEvery,
      counts: stats,
      print,
    }
    const transfers = new TransferGenerator({
      ingress: clients.pbsIngress,
      engine: clients.engine,
      builderB: clients.builderB,
      counts: stats.transfers,
      logger,
    })
    const abort = new AbortController()
    // --duration ends the traffic as Ctrl-C does: a round still waiting (on the indexer, say) is cut short.
    const stopAt =
      config.duration === undefined
        ? undefined
        : setTimeout(() => abort.abort(new Error('duration reached')), config.duration)
    const report = () => {
      for (const line of summaryLines(stats, interop.ingress.acceptedSet.size)) print(line)
    }
    const reporter = setInterval(report, config.report)
    const done = Promise.all([
      repeat(config.interval, abort.signal, async (round) => {
        try {
          await trafficRound(deps, round, abort.signal)
        } catch (err) {
          if (abort.signal.aborted) return
          logger.error({ err }, 'devnet: traffic round failed')
          for (const c of interop.chains) for (const s of [signer, deps.stranded.signer]) s.resetNonce(c)
        }
      }),
      repeat(config.transferInterval, abort.signal, () => transfers.next()),
    ]).then(() => {
      clearInterval(reporter)
      clearTimeout(stopAt)
      print(`stopped; totals:`)
      report()
    })
    closers.add('traffic', async () => {
      abort.abort(new Error('devnet closing'))
      await done
    })

    const devnet: Devnet = {
      anvils: interop.anvils,
      supervisor: interop.supervisors[0],
      interop,
      pbs,
      stats,
      counts: stats.traffic,
      done,
      close: () => closers.close(),
    }
    return devnet
  } catch (err) {
    await closers.close()
    throw err
  }
}

/** How long a step may still run after the abort before it is abandoned (to fail quietly). */
const ABANDON_AFTER_MS = 2_000

/**
 * Runs `step` every `intervalMs` (from the start of one to the start of the next) until `signal`
 * aborts. The step in flight may finish, but one still waiting `ABANDON_AFTER_MS` later (on a
 * receipt from an anvil a Ctrl-C already killed, say) is left behind, so stopping never hangs.
 */
async function repeat(intervalMs: number, signal: AbortSignal, step: (i: number) => Promise<void>): Promise<void> {
  const abandon = new Promise<void>((resolve) =>
    signal.addEventListener('abort', () => setTimeout(resolve, ABANDON_AFTER_MS).unref(), { once: true }),
  )
  for (let i = 0; !signal.aborted; i++) {
    const started = Date.now()
    const running = step(i)
    running.catch(() => undefined)
    await Promise.race([running, abandon])
    const wait = intervalMs - (Date.now() - started)
    if (wait > 0 && !signal.aborted) await pause(wait, undefined, { signal }).catch(() => undefined)
  }
}
