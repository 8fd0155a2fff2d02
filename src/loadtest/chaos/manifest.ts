import { readFileSync } from 'node:fs'
import { RpcClient } from '../../rpc/index.js'
import { LoadtestError } from '../errors.js'

/**
 * What the fault steps read from `superguard devnet --topology 3x3 --manifest FILE` (the devnet's
 * manifest schema, README "Manifest"): read again before every use, since a restart changes a pid.
 */
export type ClusterProcess = {
  name: string
  role: string
  chain?: number
  index?: number
  pid: number | null
  state: string
  restarts: number
  rpc?: string
  engine?: string
  healthz?: string
  metrics?: string
  /** Sequencers: the builder API (pbs_*), JWT `builderJwt`. */
  builderApi?: string
}
export type ClusterManifest = {
  devnet: { pid: number; metrics: string; healthz: string }
  chains: { name: string; chainId: number; conductor: string }[]
  slotMs: number
  /** The engines' JWT secret file (hex). */
  engineJwt?: string
  /** The builders' JWT secret file (hex): the flood step's submissions. */
  builderJwt?: string
  /** The devnet's test doubles: the lying supervisor in front of supervisor `index` (the fault step's `lie`). */
  doubles?: { lyingSupervisor?: { index: number; rpc: string } }
  processes: ClusterProcess[]
}

export function readManifest(path: string): ClusterManifest {
  let m: ClusterManifest
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as ClusterManifest
  } catch (err) {
    throw new LoadtestError(`--manifest ${path}: ${(err as Error).message}`)
  }
  if (!Array.isArray(m?.processes) || !Array.isArray(m.chains) || typeof m.slotMs !== 'number')
    throw new LoadtestError(`--manifest ${path}: not a topology manifest (superguard devnet --topology 3x3 --manifest)`)
  return m
}

export function chainOf(m: ClusterManifest, name: string): ClusterManifest['chains'][number] {
  const c = m.chains.find((x) => x.name === name || String(x.chainId) === name)
  if (!c)
    throw new LoadtestError(`no chain "${name}" in the manifest (chains: ${m.chains.map((x) => x.name).join(', ')})`)
  return c
}

export function processNamed(m: ClusterManifest, name: string): ClusterProcess {
  const p = m.processes.find((x) => x.name === name)
  if (!p) throw new LoadtestError(`no process "${name}" in the manifest`)
  return p
}

/** The node (e.g. "A2") that chain `name`'s conductor stand-in names leader. */
export async function leaderOf(m: ClusterManifest, name: string, timeoutMs = 2_000): Promise<string> {
  const client = new RpcClient(chainOf(m, name).conductor, { timeoutMs })
  try {
    return (await client.call<{ id: string }>('conductor_leaderWithID')).id
  } finally {
    client.close()
  }
}

/** A target as written in a step: `{leader:A}` is the row (1–3) of chain A's leader, `{follower:A}` the next row. */
const PLACEHOLDER = /\{(leader|follower):([A-Za-z0-9]+)\}/g

/** Checks a target's placeholders without a cluster (scenario validation). */
export function checkTarget(t: unknown, what: string): string {
  if (typeof t !== 'string' || t.length === 0) throw new LoadtestError(`${what}: expected a process name`)
  const rest = t.replace(PLACEHOLDER, '')
  if (/[{}]/.test(rest))
    throw new LoadtestError(`${what}: ${JSON.stringify(t)}: placeholders are {leader:CHAIN} and {follower:CHAIN}`)
  return t
}

/** `supervisor-{leader:A}` → `supervisor-1` when A1 leads; the process must be in the manifest. */
export async function resolveTarget(m: ClusterManifest, target: string): Promise<ClusterProcess> {
  let name = target
  for (const [whole, kind, chain] of [...target.matchAll(PLACEHOLDER)]) {
    const leader = await leaderOf(m, chain!)
    const row = Number(leader.replace(/^\D+/, ''))
    if (!Number.isInteger(row) || row < 1) throw new LoadtestError(`chain ${chain}: leader id ${leader} has no row`)
    name = name.replace(whole, String(kind === 'leader' ? row : (row % 3) + 1))
  }
  return processNamed(m, name)
}
