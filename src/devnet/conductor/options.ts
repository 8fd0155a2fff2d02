import { type ConfigOf, defineOptions, defineSpec, type InputOf, loadConfig } from '../../config/index.js'
import { LOG_LEVELS } from '../../util/logger.js'

/**
 * `superguard conductor-standin` (devnet only): op-conductor's RPC for one chain's sequencers, one
 * listener per node, so that each sequencer's `conductor_leader` answers for itself.
 */
export const conductorOptions = defineOptions({
  node: {
    type: 'strings',
    required: true,
    arg: 'ID=HOST:PORT,health=URL',
    help: "a sequencer node: its id, the listener its sequencer's --conductor points at, and its /healthz URL (repeatable, in order of preference)",
  },
  leader: { type: 'string', arg: 'ID', help: 'the first leader (default: the first --node)' },
  healthInterval: {
    type: 'duration',
    default: '500ms',
    min: 50,
    help: "how often each node's /healthz is read",
  },
  unhealthyAfter: {
    type: 'int',
    default: 2,
    min: 1,
    arg: 'N',
    help: "the leader's /healthz failing (503 or no answer) this many times in a row moves leadership to a healthy node",
  },
  startGrace: {
    type: 'duration',
    default: '60s',
    help: 'a node that has not answered healthy yet is starting, not failing, for this long after start (a cluster keeps its first leader while its nodes come up)',
  },
  logLevel: { type: 'enum', choices: LOG_LEVELS, default: 'info', help: 'log level' },
})

export type ConductorConfig = ConfigOf<typeof conductorOptions>
export type ConductorInput = InputOf<typeof conductorOptions>

export type ConductorNode = { id: string; host: string; port: number; health: string }

export const conductorSpec = defineSpec({
  role: 'conductor-standin',
  envPrefix: 'SUPERGUARD_CONDUCTOR_',
  options: conductorOptions,
  check: (c) => {
    const p: string[] = []
    const ids = new Set<string>()
    for (const n of c.node) {
      try {
        const node = parseNode(n)
        if (ids.has(node.id)) p.push(`--node: two nodes named ${node.id}`)
        ids.add(node.id)
      } catch (err) {
        p.push((err as Error).message)
      }
    }
    if (c.leader !== undefined && !ids.has(c.leader)) p.push(`--leader ${c.leader}: not one of the --node ids`)
    return p
  },
})

export function conductorConfig(values: ConductorInput): ConductorConfig {
  return loadConfig(conductorSpec, { values }).config
}

/** `A1=127.0.0.1:9101,health=http://127.0.0.1:5555/healthz` → its parts; throws a message naming the flag. */
export function parseNode(spec: string): ConductorNode {
  const m = /^([A-Za-z0-9_.-]{1,64})=([^,]+):(\d{1,5}),health=(https?:\/\/\S+)$/.exec(spec)
  if (!m) throw new Error(`--node: "${spec}" is not ID=HOST:PORT,health=URL`)
  const port = Number(m[3])
  if (port < 1 || port > 65535) throw new Error(`--node ${m[1]}: port ${port} is out of range`)
  try {
    new URL(m[4]!)
  } catch {
    throw new Error(`--node ${m[1]}: health=${m[4]} is not a URL`)
  }
  return { id: m[1]!, host: m[2]!.replace(/^\[|\]$/g, ''), port, health: m[4]! }
}
