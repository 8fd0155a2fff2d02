import { join } from 'node:path'
import type { Logger } from 'pino'
import { type Ingress, startIngress } from '../ingress/index.js'
import { type Supervisor, startSupervisor, supervisorConfig } from '../supervisor/index.js'
import { codeName, type Sweep, type SweepReport, startSweep } from '../sweep/index.js'
import { type Anvil, startAnvil } from './anvil.js'
import type { Closers } from './closers.js'
import { type DevChain, setupChain } from './messages.js'
import type { DevnetConfig } from './options.js'
import type { DevnetStats } from './stats.js'

export const DEVNET_CHAIN_IDS = [901, 902] as const

export type InteropStack = {
  anvils: Anvil[]
  /** [901, 902] */
  chains: readonly [DevChain, DevChain]
  /** index backend (the sweep reads its file), a second index backend, the rpc backend. */
  supervisors: readonly [Supervisor, Supervisor, Supervisor]
  /** In front of chain 902, 2 of 3 supervisors must agree. */
  ingress: Ingress
  sweep: Sweep
}

export type StackContext = {
  config: DevnetConfig
  logger: Logger
  print: (line: string) => void
  closers: Closers
  stats: DevnetStats
  dataDir: string
}

/**
 * The interop half of the devnet: two anvil chains with the CrossL2Inbox stand-in, three supervisors
 * (redundancy and client diversity: two log indexes and one light RPC backend), the ingress in front
 * of 902 and the sweep over the ingress's accepted set. Everything registers with `closers` as it starts.
 */
export async function startInteropStack(ctx: StackContext): Promise<InteropStack> {
  const { config, logger, print, closers } = ctx
  const anvils = await startAll(
    closers,
    'anvil',
    DEVNET_CHAIN_IDS.map(
      (chainId) => () => startAnvil({ chainId, args: ['--block-time', String(config.blockTime)], ownGroup: true }),
    ),
    (a) => a.stop(),
  )
  const chains = [await setupChain(anvils[0]!.url), await setupChain(anvils[1]!.url)] as const
  print(
    `chains ${chains.map((c, i) => `${c.chainId} at ${c.url} (pid ${anvils[i]!.pid})`).join(', ')} (anvil, ${config.blockTime}s blocks, CrossL2Inbox stand-in at 0x4200…0022)`,
  )

  const dbPath = join(ctx.dataDir, 'supervisor.db')
  const argv = (...extra: string[]) =>
    supervisorConfig({
      argv: [
        '--rpc',
        chains[0].url,
        '--rpc',
        chains[1].url,
        '--port',
        '0',
        '--backfill',
        '1h',
        '--poll',
        '250ms',
        '--log-level',
        config.logLevel,
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

  const ingress = await startIngress(
    {
      host: '127.0.0.1',
      port: 0,
      upstream: chains[1].url,
      supervisor: supervisors.map((s) => s.url),
      strategy: 'agreement',
      minResponses: 2,
      logLevel: config.logLevel,
    },
    { logger },
  )
  closers.add('ingress 902', () => ingress.close())

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
    { acceptedSet: ingress.acceptedSet, logger, onReport: (r) => onSweepReport(ctx, chains[1], r) },
  )
  closers.add('sweep', () => sweep.close())
  print(
    `ingress ${ingress.url} in front of 902 (agreement: 2 of the 3 supervisors); sweep of its accepted set every ${config.sweepInterval / 1000}s (index mode on ${dbPath}, 2 workers)`,
  )

  return { anvils, chains, supervisors: supervisors as [Supervisor, Supervisor, Supervisor], ingress, sweep }
}

/** Counts a round; evicted transactions (already gone from the accepted set) are dropped from 902's pool too. */
function onSweepReport(ctx: StackContext, chain: DevChain, r: SweepReport): void {
  const s = ctx.stats.sweep
  s.rounds++
  s.last = r
  for (const t of r.transactions) {
    if (t.action !== 'evict') continue
    s.evicted.add(codeName(t.code))
    ctx.print(
      `sweep round ${r.round}: evicted ${t.hash.slice(0, 10)}… (${codeName(t.code)} ${t.code}: ${t.reason ?? ''})`,
    )
    chain.client
      .request({ method: 'anvil_dropTransaction' as never, params: [t.hash] as never })
      .catch((err: unknown) => ctx.logger.warn({ err, hash: t.hash }, 'anvil_dropTransaction failed'))
  }
}

/** Starts every part at once; each one that started is registered with `closers`, and the first failure is thrown. */
export async function startAll<T>(
  closers: Closers,
  what: string,
  starts: (() => Promise<T>)[],
  close: (t: T) => unknown,
): Promise<T[]> {
  const settled = await Promise.allSettled(starts.map((s) => s()))
  for (const r of settled) if (r.status === 'fulfilled') closers.add(what, () => close(r.value))
  const failed = settled.find((r) => r.status === 'rejected')
  if (failed) throw failed.reason
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value)
}
