import { type ConfigOf, defineOptions, defineSpec, type LoadInput, loadConfig } from '../config/index.js'
import { LOG_LEVELS } from '../util/logger.js'

/** `superguard devnet`: everything on an embedded default, for a first look and for smoke tests. */
export const devnetOptions = defineOptions({
  duration: { type: 'duration', help: 'stop by itself after this long (default: run until Ctrl-C)' },
  interval: {
    type: 'duration',
    default: '1s',
    min: 100,
    help: 'time between two rounds of generated interop messages',
  },
  reorgEvery: {
    type: 'int',
    default: 3,
    min: 0,
    arg: 'N',
    help: "every Nth round toward chain 902 also sends a transaction whose initiating block on 901 is then reorged away (901's sequencer rewinds), for the sweep to evict (0 = never)",
  },
  sweepInterval: {
    type: 'duration',
    default: '2s',
    min: 100,
    help: "how often the sweep re-checks the ingress's accepted transactions",
  },
  slot: {
    type: 'duration',
    default: '1s',
    min: 200,
    help: "block time of every chain: each chain's standalone sequencer seals a block per slot (3x3: the cluster's block time too)",
  },
  transferInterval: {
    type: 'duration',
    default: '250ms',
    min: 10,
    help: 'time between two generated transfers on chain 902',
  },
  report: { type: 'duration', default: '5s', min: 100, help: 'how often to print one summary line per subsystem' },
  dataDir: {
    type: 'path',
    arg: 'DIR',
    help: 'where the supervisors keep their indexes (default: a fresh temporary directory, removed on exit)',
  },
  topology: {
    type: 'enum',
    choices: ['small', '3x3'] as const,
    default: 'small',
    help: "small: everything in this process (above); 3x3: the topology document's cluster as separate OS processes (3 chains × 3 sequencer nodes, 3 supervisors, a conductor stand-in, ingress and sweep per chain); --slot is its block time",
  },
  manifest: {
    type: 'path',
    arg: 'FILE',
    help: '3x3: write the JSON list of every process (role, chain, index, pid, URLs) here, rewritten when one exits or restarts',
  },
  watchInterval: {
    type: 'duration',
    default: '3s',
    min: 100,
    help: "3x3: how often every process's /healthz is read; two rounds without an answer make a live process unresponsive (SIGSTOP, hung)",
  },
  restart: {
    type: 'bool',
    default: false,
    help: '3x3: respawn a process that exited, with the same arguments and ports',
  },
  restartDelay: {
    type: 'duration',
    default: '250ms',
    min: 0,
    help: '3x3 with --restart: the wait before a process that exited is respawned, doubling per exit within a minute up to 8 s (or this, if longer); a longer wait holds a killed process down as a crash-loop back-off does, e.g. long enough for a conductor to move leadership',
  },
  logLevel: {
    type: 'enum',
    choices: LOG_LEVELS,
    default: 'warn',
    help: 'log level of the embedded services (their JSON logs go to stderr)',
  },
})

export type DevnetConfig = ConfigOf<typeof devnetOptions>

export const devnetSpec = defineSpec({ role: 'devnet', envPrefix: 'SUPERGUARD_DEVNET_', options: devnetOptions })

export function devnetConfig(input: LoadInput<typeof devnetOptions> = {}): DevnetConfig {
  return loadConfig(devnetSpec, input).config
}
