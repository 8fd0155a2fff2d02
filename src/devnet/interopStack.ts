import { join } from 'node:path'
import { type Supervisor, startSupervisor, supervisorConfig } from '../supervisor/index.js'
import { codeName, type Sweep, type SweepReport, startSweep } from '../sweep/index.js'
import { type DevnetChain, startChain, startEngines } from './chain.js'
import { type StackContext, startAll } from './context.js'

export const DEVNET_CHAIN_IDS = [901, 902] as const
/** 901's builder; 902 has both (builder-b is the one with exclusive orderflow, pbsTraffic.ts). */
export const BUILDER_NAMES = ['builder-a', 'builder-b'] as const

export type InteropStack = {
  /** [901, 902] */
  chains: readonly [DevnetChain, DevnetChain]
  /** index backend (the sweep reads its file), a second index backend, the rpc backend. */
  supervisors: readonly [Supervisor, Supervisor, Supervisor]
  sweep: Sweep
}

/**
 * The devnet's two chains and what watches them: each chain's engine-sims (EVM execution, the
 * default genesis: dev accounts, CrossL2Inbox stand-in, emitter), three supervisors indexing both
 * (redundancy and client diversity: two log indexes and one light RPC backend), then per chain its
 * builders, standalone sequencer and ingress (2 of the 3 supervisors must agree), and the sweep over
 * 902's accepted set. Everything registers with `closers` as it starts.
 */
export async function startInteropStack(ctx: StackContext): Promise<InteropStack> {
  const { config, logger, print, closers } = ctx
  // Every engine-sim of the devnet shares block 0's time (equal flags, equal genesis), recent so the
  // supervisors' backfill window holds every block.
  const genesisTime = Math.floor(Date.now() / 1000)
  const builderCount = { 901: 1, 902: 2 } as const
  const engines = await Promise.all(DEVNET_CHAIN_IDS.map((id) => startEngines(ctx, id, builderCount[id], genesisTime)))
  print(
    `chains ${engines.map((e) => `${e.chainId} at ${e.engine.url}`).join(', ')} (engine-sim, EVM execution; the dev accounts funded, CrossL2Inbox stand-in at 0x4200…0022, emitter at 0x…0e1771)`,
  )

  const dbPath = join(ctx.dataDir, 'supervisor.db')
  const argv = (...extra: string[]) =>
    supervisorConfig({
      argv: [
        ...engines.flatMap((e) => ['--rpc', e.engine.url]),
        ...['--port', '0', '--backfill', '1h', '--poll', '250ms', '--log-level', config.logLevel],
        ...extra,
      ],
    })
  const supervisors = await startAll(
    closers,
    'supervisor',
    [
      // Each supervisor's lines name it (three write to one stream).
      () =>
        startSupervisor(argv('--db', dbPath), {
          logger: logger.child({ supervisor: 'supervisor-1' }),
          progress: false,
        }),
      () =>
        startSupervisor(argv('--db', join(ctx.dataDir, 'supervisor-2.db')), {
          logger: logger.child({ supervisor: 'supervisor-2' }),
          progress: false,
        }),
      () => startSupervisor(argv('--backend', 'rpc'), { logger: logger.child({ supervisor: 'supervisor-3-rpc' }) }),
    ],
    (s) => s.close(),
  )
  await Promise.all(supervisors.map((s) => s.ready))
  print(
    `supervisors ready: index ${supervisors[0]!.url} (${dbPath}), index ${supervisors[1]!.url} (own database), rpc ${supervisors[2]!.url} (light mode, no index)`,
  )

  const urls = supervisors.map((s) => s.url)
  const chains = (await Promise.all(
    engines.map((e) =>
      startChain(ctx, e, {
        builders: BUILDER_NAMES.slice(0, builderCount[e.chainId as 901 | 902]),
        supervisors: urls,
        minResponses: 2,
        checkInterop: urls[0]!,
      }),
    ),
  )) as [DevnetChain, DevnetChain]
  for (const c of chains)
    print(
      `${c.chainId}: sequencer ${c.sequencer.urls.debug} (standalone, ${config.slot / 1000}s slots) on engine-sim ${c.url}; ${c.builders.map((b) => `${b.name} ${b.handle.url}`).join(', ')} (builder-a checks interop txs with supervisor-1); ingress ${c.ingress.url} (2 of the 3 supervisors must agree) feeds the engine and ${c.builders.length === 1 ? 'the builder' : 'both builders'}`,
    )

  const sweep = await startSweep(
    {
      source: 'accepted',
      mode: 'index',
      index: dbPath,
      chainId: chains[1].chainId,
      intervalMs: config.sweepInterval,
      drop: true,
      threads: 2,
      logLevel: config.logLevel,
    },
    { acceptedSet: chains[1].ingress.acceptedSet, logger, onReport: (r) => onSweepReport(ctx, r) },
  )
  closers.add('sweep', () => sweep.close())
  print(
    `sweep of ingress 902's accepted set every ${config.sweepInterval / 1000}s (index mode on ${dbPath}, 2 workers)`,
  )

  return { chains, supervisors: supervisors as [Supervisor, Supervisor, Supervisor], sweep }
}

/**
 * Counts a round. An evicted transaction is already gone from the accepted set; it stays queued in
 * 902's pools (its nonce gap keeps it from ever being mined; engine-sim has no txpool removal).
 */
function onSweepReport(ctx: StackContext, r: SweepReport): void {
  const s = ctx.stats.sweep
  s.rounds++
  s.last = r
  for (const t of r.transactions) {
    if (t.action !== 'evict') continue
    s.evicted.add(codeName(t.code))
    ctx.print(
      `sweep round ${r.round}: evicted ${t.hash.slice(0, 10)}… (${codeName(t.code)} ${t.code}: ${t.reason ?? ''})`,
    )
  }
}
