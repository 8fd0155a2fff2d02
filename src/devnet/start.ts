import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as pause } from 'node:timers/promises'
import type { Logger } from 'pino'
import { generatePrivateKey } from 'viem/accounts'
import { RpcClient } from '../rpc/index.js'
import type { Supervisor } from '../supervisor/index.js'
import type { DevnetChain } from './chain.js'
import { Closers } from './closers.js'
import { type InteropStack, startInteropStack } from './interopStack.js'
import { DEV_KEYS, DevSigner } from './messages.js'
import type { DevnetConfig } from './options.js'
import { TransferGenerator } from './pbsTraffic.js'
import { type DevnetStats, newStats, summaryLines, type TrafficCounts } from './stats.js'
import { Nonces, type TrafficDeps, trafficRound } from './traffic.js'

export { DEVNET_CHAIN_IDS } from './interopStack.js'

export type Devnet = {
  /** [901, 902]: engine-sims (EVM), each with its standalone sequencer, builders and ingress. */
  chains: readonly [DevnetChain, DevnetChain]
  /** The index-backend supervisor (the first of three). */
  supervisor: Supervisor
  interop: InteropStack
  stats: DevnetStats
  /** The interop messages checked directly against the supervisor (stats.traffic). */
  counts: TrafficCounts
  /** Resolves when the generated traffic ends (--duration reached, or close()). */
  done: Promise<void>
  /** Stops everything in reverse order of start. Idempotent. */
  close(): Promise<void>
}

/**
 * Everything on an embedded default, in one process: two engine-sim chains (EVM execution), each
 * sequenced by a standalone sequencer with reference builders and fed by an ingress; three
 * supervisors indexing both; the sweep over 902's ingress; generated interop traffic and
 * transfers. Every listener it starts is stopped by close(); a failure during start-up stops
 * what had started.
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
    const b = interop.chains[1]
    print(
      `the loop: tx → ingress (checked by 2 of 3 supervisors) → the engine and the builders → the sequencer (own ${config.slot / 1000}s clock) seals the best block and publishes it → the supervisors index its ExecutingMessage logs → cross-unsafe | sweep of 902's accepted set every ${config.sweepInterval / 1000}s | transfers on 902 (PBS: builder-b's exclusive orderflow, heavy engine-only ones)`,
    )

    const supervisor = new RpcClient(interop.supervisors[0].url, { timeoutMs: 5000 })
    const builderB = new RpcClient(b.builders[1]!.handle.url, { timeoutMs: 5000 })
    closers.add('clients', () => {
      supervisor.close()
      builderB.close()
    })

    const deps: TrafficDeps = {
      chains: interop.chains,
      signer: new DevSigner(DEV_KEYS[0]),
      nonces: new Nonces(),
      supervisor,
      indexers: interop.supervisors.slice(0, 2).map((s) => s.indexer!),
      forger: new DevSigner(generatePrivateKey()),
      // Nonce 0 of this sender on 902 is never used, so its executing transactions there stay queued.
      stranded: { signer: new DevSigner(DEV_KEYS[1]), nonce: 1 },
      reorgEvery: config.reorgEvery,
      stats,
      print,
    }
    const transfers = new TransferGenerator({
      chainId: Number(b.chainId),
      ingress: b.ingressRpc,
      engine: b.rpc,
      builderB,
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
      for (const line of summaryLines(stats, b.ingress.acceptedSet.size)) print(line)
    }
    const reporter = setInterval(report, config.report)
    const done = Promise.all([
      repeat(config.interval, abort.signal, async (round) => {
        try {
          await trafficRound(deps, round, abort.signal)
        } catch (err) {
          if (abort.signal.aborted) return
          logger.error({ err }, 'devnet: traffic round failed')
          const [a, b] = interop.chains
          const { signer, stranded } = deps
          await deps.nonces
            .resync([
              { chain: a, signer },
              { chain: b, signer },
              { chain: a, signer: stranded.signer },
            ])
            .catch((e: unknown) => logger.error({ err: e }, 'devnet: nonces not re-read'))
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

    return {
      chains: interop.chains,
      supervisor: interop.supervisors[0],
      interop,
      stats,
      counts: stats.traffic,
      done,
      close: () => closers.close(),
    }
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
 * receipt from an engine already stopped, say) is left behind, so stopping never hangs.
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
