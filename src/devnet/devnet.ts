import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { RpcClient } from '../rpc/index.js'
import { startSupervisor, supervisorConfig, type Supervisor } from '../supervisor/index.js'
import { startAnvil, type Anvil } from './anvil.js'
import { DevSigner, setupChain } from './messages.js'
import type { DevnetConfig } from './options.js'
import { trafficRound, type TrafficCounts } from './traffic.js'

export type Devnet = {
  anvils: Anvil[]
  supervisor: Supervisor
  counts: TrafficCounts
  /** Resolves when the traffic loop ends (duration reached or close()). */
  done: Promise<void>
  close(): Promise<void>
}

export const DEVNET_CHAIN_IDS = [901, 902] as const

/**
 * Local chains, the light supervisor indexing them and generated interop traffic, in one process.
 * Every process it starts is stopped by close(), which is idempotent.
 */
export async function startDevnet(config: DevnetConfig, logger: Logger, print: (line: string) => void): Promise<Devnet> {
  const anvils: Anvil[] = []
  const cleanup: (() => Promise<void>)[] = []
  const dataDir = config.dataDir ?? mkdtempSync(join(tmpdir(), 'superguard-devnet-'))
  if (!config.dataDir) cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }))
  const stopAll = async () => { for (const f of cleanup.reverse()) await f().catch((err: unknown) => logger.error({ err }, 'devnet cleanup failed')) }
  try {
    for (const chainId of DEVNET_CHAIN_IDS) {
      const anvil = await startAnvil({ chainId, args: ['--block-time', String(config.blockTime)] })
      anvils.push(anvil)
      cleanup.push(() => anvil.stop())
    }
    const chains = [await setupChain(anvils[0]!.url), await setupChain(anvils[1]!.url)] as const
    print(`chains ${chains.map((c, i) => `${c.chainId} at ${c.url} (pid ${anvils[i]!.pid})`).join(', ')} (anvil, ${config.blockTime}s blocks, CrossL2Inbox stand-in at 0x4200…0022)`)

    const supervisor = await startSupervisor(
      supervisorConfig({ argv: ['--rpc', anvils[0]!.url, '--rpc', anvils[1]!.url, '--port', '0', '--db', join(dataDir, 'supervisor.db'), '--backfill', '1h', '--poll', '250ms', '--log-level', config.logLevel] }),
      { logger, progress: false },
    )
    cleanup.push(() => supervisor.close())
    await supervisor.ready
    print(`supervisor ${supervisor.url} (index backend, ${join(dataDir, 'supervisor.db')}) ready`)

    const client = new RpcClient(supervisor.url, { timeoutMs: 5000 })
    cleanup.push(async () => client.close())
    const counts: TrafficCounts = { initiated: 0, valid: 0, refused: 0, executed: 0, unexpected: 0 }
    const abort = new AbortController()
    const deadline = config.duration === undefined ? Infinity : Date.now() + config.duration
    const done = (async () => {
      const signer = new DevSigner()
      for (let round = 0; !abort.signal.aborted && Date.now() < deadline; round++) {
        const started = Date.now()
        try {
          await trafficRound({ chains, signer, supervisor: client, indexer: supervisor.indexer!, print }, round, counts, abort.signal)
        } catch (err) {
          if (abort.signal.aborted) break
          logger.error({ err }, 'traffic round failed')
          signer.resetNonce(chains[0])
          signer.resetNonce(chains[1])
        }
        const wait = config.interval - (Date.now() - started)
        if (wait > 0 && !abort.signal.aborted) await new Promise<void>((r) => { const t = setTimeout(r, wait); abort.signal.addEventListener('abort', () => { clearTimeout(t); r() }, { once: true }) })
      }
      print(`summary: ${counts.initiated} initiating messages, ${counts.valid} validated, ${counts.refused} forged copies refused, ${counts.executed} executed, ${counts.unexpected} unexpected verdicts`)
    })()
    cleanup.push(async () => { abort.abort(new Error('devnet closing')); await done })

    let closing: Promise<void> | undefined
    return { anvils, supervisor, counts, done, close: () => (closing ??= stopAll()) }
  } catch (err) {
    await stopAll()
    throw err
  }
}
