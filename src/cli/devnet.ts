import { formatHelp, loadConfig } from '../config/index.js'
import { devnetSpec } from '../devnet/options.js'
import { buildInfo } from '../util/buildInfo.js'
import { createLogger } from '../util/logger.js'
import { onShutdown } from '../util/shutdown.js'
import type { Command } from './command.js'

const SUMMARY = [
  'Everything on an embedded default, in one process; Ctrl-C stops it and everything it started.',
  '',
  'Two engine-sim chains (901, 902) executing with the EVM (dev accounts funded, a CrossL2Inbox stand-in,',
  'an emitter), each sequenced by a standalone sequencer (--slot) with reference builders and fed by an',
  'ingress that sends every transaction to the engine and the builders (2 of 3 supervisors must agree);',
  'three supervisors index both chains (two log indexes, one light RPC backend); the sweep re-checks what',
  "902's ingress accepted. Generated interop messages are checked against the supervisor and executed",
  "through the other chain's ingress, then followed: sealed by a builder or the engine, the ExecutingMessage",
  'log indexed, the block cross-unsafe, the check of its access list null. Toward 902 a forged, malformed',
  "or premature transaction goes first, which the ingress must refuse; now and then 901's sequencer",
  "rewinds past a message after 902's ingress accepted its executing transaction, and the sweep evicts it.",
  'Transfers on 902: a few to builder-b only (its block wins) or, heavy, to the engine only (the local',
  'block wins: --min-gas-ratio 0.5).',
  '',
  'Prints every loop, and every --report one line per subsystem: accepted and refused transactions,',
  'the loop by stage, sweep evictions, blocks per source and why builder blocks were refused.',
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
    // Imported here: the small devnet's start pulls in viem, anvil and every role (~1.8 CPU-s), which
    // the 3×3 topology's parent process, a supervisor of child processes, never uses.
    const { startDevnet } = await import('../devnet/start.js')
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
