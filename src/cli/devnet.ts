import { formatHelp, loadConfig } from '../config/index.js'
import { devnetSpec } from '../devnet/options.js'
import { startDevnet } from '../devnet/start.js'
import { buildInfo } from '../util/buildInfo.js'
import { createLogger } from '../util/logger.js'
import { onShutdown } from '../util/shutdown.js'
import type { Command } from './command.js'

const SUMMARY = [
  'Everything on an embedded default, in one process; Ctrl-C stops it and every process it started.',
  '',
  'Interop: two local anvil chains (901, 902) with a CrossL2Inbox stand-in, three supervisors indexing',
  'both (two log indexes, one light RPC backend), the ingress in front of 902 (2 of the 3 supervisors',
  'must agree) and the sweep re-checking what the ingress accepted. Generated messages are checked',
  'against the supervisor and executed through the ingress, each after a forged, malformed or premature',
  'transaction the ingress must refuse; now and then a source block is reorged away after the ingress',
  'accepted a transaction executing its message, and the sweep evicts that transaction.',
  '',
  'PBS: a standalone sequencer on an engine-sim chain (903) with a replica and two reference builders,',
  'fed by a second ingress that sends each transfer to the engine and both builders. A few transfers go',
  'to builder-b only (its block is then worth more and wins) or, heavy, to the engine only (the local',
  'block then has more gas, and the sequencer refuses the builder blocks: --min-gas-ratio 0.5).',
  '',
  'Prints every interop verdict, and every --report one line per subsystem: accepted and refused',
  'transactions, sweep evictions, blocks per source and why builder blocks were refused.',
  '',
  "--topology 3x3: instead, the topology document's cluster as 39 OS processes: chains A, B, C with three",
  'sequencer nodes each (engine-sim, standalone sequencer, builder), supervisors 1-3 (supervisor i indexes',
  'Ai, Bi, Ci; 3 is the light rpc backend), per chain a conductor stand-in, an ingress and a sweep.',
  '--manifest FILE lists every process (pid, URLs); --restart respawns one that exited.',
].join('\n')

export const command: Command = {
  summary: 'local chains, supervisors, ingress, sweep, sequencer, builders and generated traffic in one command',
  async run(argv, env) {
    const { config, help } = loadConfig(devnetSpec, { argv, env })
    if (help) {
      process.stdout.write(formatHelp('superguard devnet [options]   (npm start)', SUMMARY, devnetSpec))
      return
    }
    // Service logs (JSON) go to stderr so stdout stays the readable story of the devnet.
    const logger = createLogger(config.logLevel, { fd: 2 })
    logger.info(buildInfo(), 'superguard devnet starting')
    const print = (line: string) => process.stdout.write(`[devnet] ${line}\n`)
    if (config.topology === '3x3') {
      const { startTopology } = await import('../devnet/topology/start.js')
      const starting = startTopology(config, logger, print)
      onShutdown(
        logger,
        async () => {
          await (await starting.catch(() => undefined))?.close()
        },
        30_000,
      )
      const topology = await starting
      await topology.done
      await topology.close()
      return
    }
    const starting = startDevnet(config, logger, print)
    // Registered before start-up ends: Ctrl-C while it starts waits for it, then stops everything.
    onShutdown(logger, async () => {
      await (await starting.catch(() => undefined))?.close()
    })
    const devnet = await starting
    await devnet.done
    await devnet.close()
  },
}
